import { describe } from '@mp/core/internal';

/**
 * The marks made by `move()` (see `../move.ts`), and how the pool honours them.
 *
 * A mark is a fresh empty object, known as one only because this isolate's
 * registry maps it to what it stands for: data cannot make itself a mark (a
 * cloned or parsed object is never in the registry). The registry lives on
 * `globalThis` under a `Symbol.for` key, so that duplicate copies of this
 * module (the worker entry and the task's own `import { move } from '@mp/pool'`)
 * share it; it is created by the first `move()` — until then the pool's paths
 * read one global property per task and scan nothing.
 */

/** What a mark stands for: the value to send, and the buffers to transfer with it. */
export interface Mark {
  readonly value: unknown;
  readonly transfer: readonly ArrayBuffer[];
}

export type Marks = WeakMap<object, Mark>;

const MARKS = Symbol.for('@mp/pool.move');

/** The registry of marks, or `undefined` while no `move()` ran in this isolate (then there is nothing to look for). */
export function marksInUse(): Marks | undefined {
  return (globalThis as { [MARKS]?: Marks })[MARKS];
}

/** Registers a mark for `value` and its (checked) buffers. */
export function makeMark(value: unknown, transfer: readonly ArrayBuffer[]): object {
  const holder = globalThis as { [MARKS]?: Marks };
  const marks = (holder[MARKS] ??= new WeakMap());
  const mark = Object.freeze({});
  marks.set(mark, { value, transfer });
  return mark;
}

/** Whether an `ArrayBuffer` was transferred away (detached): Node 20 has no `buffer.detached`. */
export function isDetached(buffer: ArrayBuffer): boolean {
  const flag = (buffer as { detached?: boolean }).detached;
  if (flag !== undefined) return flag;
  if (buffer.byteLength > 0) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

/** Arguments with their marks replaced, and the buffers to transfer when they are sent. */
export interface Moved {
  readonly payload: readonly unknown[];
  /** `undefined` under `'process'` (IPC copies) and when no mark was found. */
  readonly transfer: ArrayBuffer[] | undefined;
}

/**
 * Replaces the marks at the top level of `payload` (the arguments of an apply, the
 * items of a map chunk; with `star`, the arguments inside each starmap item) by their
 * values. With `transferNow` (`'thread'`), the marked values are moved at once into one
 * structured clone whose buffers are transferred (no copy): the caller's buffers are
 * detached when this returns — all of them or, when it throws, none — and the clone's
 * buffers are listed for the message. Otherwise (`'process'`) the values stay as they
 * are and are copied when sent.
 *
 * @returns `undefined` when `payload` holds no mark
 * @throws TypeError for a buffer used twice in one call, or already transferred, or that cannot be transferred
 */
export function takeMarks(marks: Marks, payload: readonly unknown[], star: boolean, transferNow: boolean, what: string): Moved | undefined {
  // Found first, all checked, then moved together: a refused call detaches nothing.
  const found: Array<{ readonly mark: Mark; readonly i: number; readonly j: number }> = [];
  const find = (value: unknown, i: number, j: number): void => {
    const mark = typeof value === 'object' && value !== null ? marks.get(value) : undefined;
    if (mark) found.push({ mark, i, j });
  };
  for (let i = 0; i < payload.length; i++) {
    const item = payload[i];
    if (star && Array.isArray(item)) for (let j = 0; j < item.length; j++) find(item[j], i, j);
    else find(item, i, -1);
  }
  if (found.length === 0) return undefined;
  const used = new Set<ArrayBuffer>();
  const buffers: ArrayBuffer[] = [];
  for (const { mark, i, j } of found) {
    const path = j < 0 ? `${what}[${i}]` : `${what}[${i}][${j}]`;
    for (const buffer of mark.transfer) {
      if (used.has(buffer)) {
        throw new TypeError(
          `${path}: the same ArrayBuffer is moved twice in one call (${describe(buffer)}): a buffer can be transferred once; move it in one place, or copy it (buffer.slice()) for the other`,
        );
      }
      if (isDetached(buffer)) {
        throw new TypeError(
          `${path}: its ArrayBuffer was already transferred (it is detached, byteLength 0), so it cannot be sent: move() a buffer once, and do not reuse a buffer you moved`,
        );
      }
      used.add(buffer);
      buffers.push(buffer);
    }
  }
  let values = found.map(({ mark }) => mark.value);
  let transfer: ArrayBuffer[] | undefined;
  if (transferNow) {
    let moved: unknown[];
    try {
      moved = structuredClone([...values, ...buffers], { transfer: buffers });
    } catch (error) {
      throw new TypeError(
        `${what} cannot be transferred: ${error instanceof Error ? error.message : String(error)}. Move only structured-clonable values ` +
          "whose buffers are your own (Node's pooled Buffer memory, from Buffer.from() or Buffer.allocUnsafe(), cannot be transferred: use Buffer.alloc() or a typed array)",
        { cause: error },
      );
    }
    values = moved.slice(0, values.length);
    transfer = moved.slice(values.length) as ArrayBuffer[];
  }
  const copy = [...payload];
  found.forEach(({ i, j }, k) => {
    if (j < 0) copy[i] = values[k];
    else {
      const inner = copy[i] === payload[i] ? [...(payload[i] as unknown[])] : (copy[i] as unknown[]);
      inner[j] = values[k];
      copy[i] = inner;
    }
  });
  return { payload: copy, transfer };
}
