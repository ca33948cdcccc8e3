import { endianness } from 'node:os';
import { inspect } from 'node:util';
import { defineShared, share, type Shareable, type SharedState } from '@mp/core';
import { checkOptions, describe } from '@mp/core/internal';
import { IndexError, NotInListError, SlotOverflowError } from './errors.js';
import { SharedMemory } from './shared-memory.js';

const TYPE = '@mp/shared.ShareableList';

/** What a {@link ShareableList} item can be. */
export type ShareableItem = number | bigint | boolean | string | Uint8Array | null;

/** Options of {@link ShareableList}. */
export interface ShareableListOptions {
  /**
   * With items: the name of the block to create (a {@link FileExistsError} if it exists).
   * With `null` items: the name of the list to attach to.
   * @defaultValue a fresh `psm_<8 hex digits>` when creating
   */
  readonly name?: string | undefined;
  /**
   * Register a block this creates with the resource tracker (see {@link SharedMemoryOptions.track}).
   * @defaultValue `true` when creating, `false` when attaching
   */
  readonly track?: boolean | undefined;
}

/*
 * The layout is CPython's (Lib/multiprocessing/shared_memory.py), byte for byte, so that a
 * Python program attaches to a list made here and the other way round. All integers are
 * in the machine's byte order, as struct's native mode writes them:
 *
 *   0                      int64   N, the number of items
 *   8                      int64   N + 1 offsets of the slots, from the start of the data area
 *   (N + 2) * 8            bytes   the data area: one slot per item (8 bytes, or a string's size)
 *   data + offsets[N]      8 × N   each item's struct format, NUL-padded ASCII ('q', 'd', '16s'…)
 *   … + 8 × N              N bytes each item's kind: 0 number/bool, 1 str, 2 bytes, 3 None
 *
 * Formats: 'q' int64 (a bigint here; Python's int), 'd' float64 (a number; Python's float),
 * 'xxxxxxx?' a bool in the slot's last byte, 'xxxxxx?x' None (a zero in byte 6), '<n>s' n bytes
 * of UTF-8 or raw bytes, NUL-padded (trailing NULs are dropped on reading, as CPython does).
 */
const WORD = 8;
const FORMAT_INT = 'q';
const FORMAT_FLOAT = 'd';
const FORMAT_BOOL = 'xxxxxxx?';
const FORMAT_NULL = 'xxxxxx?x';
const KIND_PLAIN = 0;
const KIND_STRING = 1;
const KIND_BYTES = 2;
const KIND_NULL = 3;
/** A format is at most 8 ASCII characters: '9999999s' is the largest string slot CPython can describe. */
const MAX_SLOT_BYTES = 9_999_999;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const LITTLE_ENDIAN = endianness() === 'LE';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

interface Encoded {
  readonly format: string;
  readonly kind: number;
  /** String or bytes content; undefined for the 8-byte kinds. */
  readonly bytes?: Uint8Array;
  readonly value: ShareableItem;
}

function describeItem(item: unknown): string {
  return item instanceof Uint8Array ? `a Uint8Array of ${item.length} bytes` : describe(item);
}

/** What an item turns into: its format, kind and bytes. Strings/bytes get a format of `slot` bytes. */
function encodeItem(item: unknown, where: string, slot?: number): Encoded {
  switch (typeof item) {
    case 'number':
      return { format: FORMAT_FLOAT, kind: KIND_PLAIN, value: item };
    case 'bigint':
      if (item < INT64_MIN || item > INT64_MAX) {
        throw new RangeError(`Expected ${where} to fit in 64 bits (${INT64_MIN} … ${INT64_MAX}), got ${item}n: a ShareableList stores a bigint as int64 ('q')`);
      }
      return { format: FORMAT_INT, kind: KIND_PLAIN, value: item };
    case 'boolean':
      return { format: FORMAT_BOOL, kind: KIND_PLAIN, value: item };
    case 'string': {
      const bytes = encoder.encode(item);
      return { format: `${slot ?? slotFor(bytes.length, where)}s`, kind: KIND_STRING, bytes, value: item };
    }
    default:
      if (item === null) return { format: FORMAT_NULL, kind: KIND_NULL, value: null };
      if (item instanceof Uint8Array) {
        return { format: `${slot ?? slotFor(item.length, where)}s`, kind: KIND_BYTES, bytes: item, value: item };
      }
      throw new TypeError(
        `Expected ${where} to be a number, bigint, boolean, string, Uint8Array or null, got ${describeItem(item)}` +
          (item === undefined ? ': store null for "nothing" (Python\'s None)' : ''),
      );
  }
}

/** CPython's slot for a string or bytes: its length rounded up to the next multiple of 8 (8 more when it is one). */
function slotFor(length: number, where: string): number {
  const slot = WORD * (Math.floor(length / WORD) + 1);
  if (slot > MAX_SLOT_BYTES) {
    throw new RangeError(`Expected ${where} to be under ${MAX_SLOT_BYTES - WORD} bytes (a slot's format, '<n>s', has at most 8 characters), got ${length} bytes`);
  }
  return slot;
}

/** Python's `==` for the item kinds: numbers and bigints by value, bytes by content. */
function equal(a: ShareableItem, b: unknown): boolean {
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    // eslint-disable-next-line eqeqeq -- 1 == 1n, as Python's 1 == 1.0
    return a == b;
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((byte, i) => byte === b[i]);
  }
  return a === b;
}

function isIndexKey(key: string): boolean {
  // Canonical integer strings only ('0', '-1'), so 'length' or '01' never count.
  return key !== '' && String(Number(key)) === key && Number.isInteger(Number(key));
}

interface ShareableListState {
  readonly shm: SharedMemory;
}

/** Set while a received list is rebuilt. */
let reviving: ShareableListState | undefined;

/**
 * A fixed-length list of numbers, bigints, booleans, strings, `Uint8Array`s and
 * `null`s in a named {@link SharedMemory} block: any process attaches to it by name.
 * Items can be replaced (by another type too), but the list cannot grow or shrink,
 * and a string or bytes item can never outgrow the slot it was created with.
 *
 * Python: `multiprocessing.shared_memory.ShareableList(sequence=None, *, name=None)`.
 *
 * The layout is CPython's, so a Python program attaches with `ShareableList(name=…)`.
 * A `number` is stored as a float64 (Python's `float`), a `bigint` as an int64 (Python's
 * `int`): an `int` written by Python reads back as a `bigint`.
 *
 * Writes are not synchronised (nor are they in CPython): a reader can see an item half
 * replaced. Guard writers and readers with a `Lock` when several processes write.
 *
 * @typeParam T - the item type, `ShareableItem` by default
 * @example
 * ```ts
 * import { ShareableList } from '@mp/shared';
 * const list = new ShareableList(['howdy', 42n, -273.154, true, null, new Uint8Array([1, 2])]);
 * const same = new ShareableList(null, { name: list.shm.name });  // in any process
 * same[0] = 'hi';            // fits: 'howdy' got an 8-byte slot
 * console.log(list[0], list.length, list.format); // 'hi' 6 '8sqdxxxxxxx?xxxxxx?x8s'
 * same.shm.close();
 * list.shm.close();
 * list.shm.unlink();
 * ```
 */
export class ShareableList<T extends ShareableItem = ShareableItem> implements Shareable, Iterable<T> {
  static {
    defineShared<ShareableListState>(TYPE, (state) => {
      reviving = state;
      try {
        return new ShareableList(null);
      } finally {
        reviving = undefined;
      }
    });
    // `list[0]` and `list[0] = x`, as SharedArray does: a Proxy *above* the
    // prototype sees only the property lookups that miss the instance and the
    // class, so methods and `length` cost nothing more.
    const isList = (value: unknown): value is ShareableList => typeof value === 'object' && value !== null && #offsets in value;
    Object.setPrototypeOf(
      this.prototype,
      new Proxy(Object.prototype, {
        get(target, key, receiver: unknown) {
          if (typeof key === 'string' && isIndexKey(key) && isList(receiver)) return receiver.get(Number(key));
          return Reflect.get(target, key, receiver);
        },
        set(target, key, value: unknown, receiver: unknown) {
          if (typeof key === 'string' && isIndexKey(key) && isList(receiver)) {
            receiver.set(Number(key), value as ShareableItem);
            return true;
          }
          return Reflect.set(target, key, value, receiver);
        },
      }),
    );
  }

  /**
   * `list[i]` reads and `list[i] = x` writes item `i` (negative counts from the
   * end), exactly as {@link ShareableList.get} and {@link ShareableList.set}.
   */
  [index: number]: T;

  /**
   * The block the list lives in: `shm.name` attaches to it, `shm.close()` and
   * `shm.unlink()` release it, as in Python.
   *
   * Python: `.shm`.
   */
  readonly shm: SharedMemory;
  /** Slot offsets from the start of the data area (N + 1 of them): fixed for the list's life. */
  readonly #offsets: readonly number[];
  readonly #length: number;

  /**
   * Creates a list in a new block, or attaches to an existing one.
   *
   * The item type is `ShareableItem` unless given: `new ShareableList<number>([1, 2])` (it is
   * not inferred from the items, which would make it their literal types).
   *
   * @param items - the items (any iterable) of a new list; `null` (or `undefined`) to attach to `options.name`
   * @param options - `name`: the block to create, or to attach to; `track`: see {@link ShareableListOptions}
   * @throws TypeError for an item of another type (names its index), `null` items without a `name`, an unknown option
   * @throws RangeError for a bigint outside int64, or a string/bytes item of 10 MB or more
   * @throws {@link FileExistsError} / {@link FileNotFoundError} as {@link SharedMemory} does;
   * RangeError when the block attached to does not hold a ShareableList
   * @throws {@link SharedMemoryUnsupportedError} where named shared memory is unavailable
   */
  constructor(items: Iterable<NoInfer<T>> | null | undefined, options?: ShareableListOptions) {
    const state = reviving;
    reviving = undefined;
    if (state !== undefined) {
      this.shm = state.shm;
      [this.#length, this.#offsets] = this.#readHeader();
      return;
    }
    const { name, track } = checkOptions(options, ['name', 'track'], 'ShareableList');
    if (items === null || items === undefined) {
      if (name === undefined) {
        throw new TypeError(
          'Expected `name` of ShareableList to attach to an existing list (new ShareableList(null, { name })), got none: ' +
            'pass the items to create a new list (Python: ShareableList(sequence) or ShareableList(name=…))',
        );
      }
      this.shm = new SharedMemory({ name, track: track ?? false });
      [this.#length, this.#offsets] = this.#readHeader();
      return;
    }
    if (typeof (items as Partial<Iterable<T>>)[Symbol.iterator] !== 'function' || typeof items === 'string') {
      throw new TypeError(`Expected the items of a ShareableList to be an iterable (an array), or null to attach; got ${describe(items)}`);
    }
    const encoded = Array.from(items, (item, i) => encodeItem(item, `item ${i} of a ShareableList`));
    const offsets = [0];
    for (const { format } of encoded) offsets.push((offsets.at(-1) as number) + slotSize(format));
    const length = encoded.length;
    const size = WORD * (length + 2) + (offsets.at(-1) as number) + WORD * length + length;
    this.shm = new SharedMemory({ name, create: true, size, track: track ?? true });
    this.#length = length;
    this.#offsets = offsets;
    const view = this.#view();
    view.setBigInt64(0, BigInt(length), LITTLE_ENDIAN);
    offsets.forEach((offset, i) => view.setBigInt64(WORD * (i + 1), BigInt(offset), LITTLE_ENDIAN));
    encoded.forEach((item, i) => this.#write(i, item));
  }

  /**
   * How many items the list holds (fixed at creation).
   *
   * Python: `len(sl)`.
   */
  get length(): number {
    return this.#length;
  }

  /**
   * The struct formats of the items, concatenated, as CPython reports them: `'q'` a
   * bigint, `'d'` a number, `'xxxxxxx?'` a boolean, `'xxxxxx?x'` null, `'<n>s'` a
   * string or bytes in an n-byte slot.
   *
   * Python: `.format`.
   */
  get format(): string {
    let format = '';
    for (let i = 0; i < this.#length; i++) format += this.#formatAt(i);
    return format;
  }

  /**
   * The item at `index` (negative counts from the end). Strings and bytes lose
   * trailing NUL characters (their slot's padding), as in CPython; bytes come back as a
   * new `Uint8Array` (a copy).
   *
   * Python: `sl[index]`.
   *
   * @param index - an integer, `-length` … `length - 1`
   * @returns the item
   * @throws {@link IndexError} for an index out of range; TypeError for a non-integer index
   * @throws {@link SharedMemoryClosedError} after `shm.close()`
   * @example
   * ```ts
   * new ShareableList([1, 'two']).get(-1); // 'two'
   * ```
   */
  get(index: number): T {
    const at = this.#at(index);
    const view = this.#view();
    const offset = this.#dataStart() + (this.#offsets[at] as number);
    const format = this.#formatAt(at);
    switch (view.getInt8(this.#kindsStart() + at)) {
      case KIND_NULL:
        return null as T;
      case KIND_STRING:
      case KIND_BYTES: {
        const kind = view.getInt8(this.#kindsStart() + at);
        const bytes = new Uint8Array(view.buffer, offset, this.#slotBytes(at, format));
        let end = bytes.length;
        while (end > 0 && bytes[end - 1] === 0) end--;
        return (kind === KIND_STRING ? decoder.decode(bytes.subarray(0, end)) : bytes.slice(0, end)) as T;
      }
      default:
        if (format === FORMAT_INT) return view.getBigInt64(offset, LITTLE_ENDIAN) as T;
        if (format === FORMAT_FLOAT) return view.getFloat64(offset, LITTLE_ENDIAN) as T;
        if (format === FORMAT_BOOL) return (view.getUint8(offset + 7) !== 0) as T;
        throw new TypeError(`Item ${at} of ShareableList '${this.shm.name}' has format '${format}', which @mp/shared cannot read (it reads 'q', 'd', 'xxxxxxx?', 'xxxxxx?x', '<n>s')`);
    }
  }

  /**
   * Replaces the item at `index` (negative counts from the end), with a value of any
   * item type. A string or bytes must fit in the item's slot: the slot it was created
   * with for a string or bytes item (its length rounded up to a multiple of 8, plus 8
   * when it was one), 8 bytes for the other types.
   *
   * Python: `sl[index] = value`.
   *
   * @param index - an integer, `-length` … `length - 1`
   * @param value - a number, bigint, boolean, string, `Uint8Array` or null
   * @throws {@link SlotOverflowError} for a string or bytes longer than the slot
   * @throws {@link IndexError} for an index out of range; TypeError for a value of another type, or a non-integer index;
   * RangeError for a bigint outside int64
   * @throws {@link SharedMemoryClosedError} after `shm.close()`
   * @example
   * ```ts
   * const list = new ShareableList(['abc', 0]);
   * list.set(0, 'abcdefg');       // fits the 8-byte slot
   * list.set(1, 'eight!!!');      // a string in a number's 8 bytes: fits too
   * ```
   */
  set(index: number, value: T): void {
    const at = this.#at(index);
    const where = `item ${at} of ShareableList '${this.shm.name}'`;
    const current = this.#formatAt(at);
    const slot = (this.#offsets[at + 1] as number) - (this.#offsets[at] as number);
    let encoded = encodeItem(value, `the value for ${where}`, slot);
    if (encoded.bytes !== undefined) {
      if (encoded.bytes.length > slot) {
        throw new SlotOverflowError(
          `Cannot store ${encoded.bytes.length} bytes in ${where}: its slot holds ${slot} bytes, fixed when the list was made ` +
            '(Python: ValueError: bytes/str item exceeds available storage). Make the list with a longer placeholder.',
        );
      }
      // A string slot keeps its format (CPython does the same).
      if (current.endsWith('s')) encoded = { ...encoded, format: current };
    }
    this.#write(at, encoded);
  }

  /**
   * How many items equal `value` (numbers and bigints compare by value, `1 == 1n`;
   * `Uint8Array`s by content).
   *
   * Python: `sl.count(value)`.
   *
   * @param value - what to look for
   * @returns the number of equal items
   * @example
   * ```ts
   * new ShareableList([1, 2, 1]).count(1); // 2
   * ```
   */
  count(value: ShareableItem): number {
    let n = 0;
    for (const item of this) if (equal(item, value)) n++;
    return n;
  }

  /**
   * The index of the first item equal to `value` (compared as {@link ShareableList.count} does).
   *
   * Python: `sl.index(value)`.
   *
   * @param value - what to look for
   * @returns its first index
   * @throws {@link NotInListError} when no item equals it (Python's `ValueError`), rather than returning -1
   * @example
   * ```ts
   * new ShareableList(['a', 'b']).index('b'); // 1
   * ```
   */
  index(value: ShareableItem): number {
    for (let i = 0; i < this.#length; i++) if (equal(this.get(i), value)) return i;
    throw new NotInListError(`${inspect(value)} is not in ${this.toString()} (Python: ValueError: … not in this container)`);
  }

  /**
   * The items in order, each read when reached.
   *
   * Python: `iter(sl)`, `list(sl)`.
   */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.#length; i++) yield this.get(i);
  }

  /** Travels by name, as CPython pickles it: the receiver attaches to the same block. */
  [share](): SharedState {
    return { type: TYPE, module: import.meta.url, state: { shm: this.shm } satisfies ShareableListState };
  }

  /** Python's repr: `ShareableList(['a', 1n], name='psm_1a2b3c4d')` (or without the items once closed). */
  toString(): string {
    let items: string;
    try {
      items = inspect([...this], { breakLength: Infinity, maxArrayLength: 20 });
    } catch {
      items = '<closed>';
    }
    return `ShareableList(${items}, name='${this.shm.name}')`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  #view(): DataView {
    const buf = this.shm.buf;
    return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  #dataStart(): number {
    return WORD * (this.#length + 2);
  }

  #formatsStart(): number {
    return this.#dataStart() + (this.#offsets[this.#length] as number);
  }

  #kindsStart(): number {
    return this.#formatsStart() + WORD * this.#length;
  }

  #at(index: number): number {
    if (typeof index !== 'number' || !Number.isInteger(index)) {
      throw new TypeError(`Expected the index into a ShareableList to be an integer, got ${describe(index)}`);
    }
    const at = index < 0 ? index + this.#length : index;
    if (at < 0 || at >= this.#length) {
      throw new IndexError(
        this.#length === 0
          ? `Index ${index} is out of range for ShareableList '${this.shm.name}' of length 0: it has no items`
          : `Index ${index} is out of range for ShareableList '${this.shm.name}' of length ${this.#length}: use ${-this.#length} … ${this.#length - 1}`,
      );
    }
    return at;
  }

  #formatAt(at: number): string {
    const start = this.#formatsStart() + WORD * at;
    const bytes = this.shm.buf.subarray(start, start + WORD);
    let end = WORD;
    while (end > 0 && bytes[end - 1] === 0) end--;
    return String.fromCharCode(...bytes.subarray(0, end));
  }

  /** How many bytes a string/bytes item spans: its format's count, within its slot. */
  #slotBytes(at: number, format: string): number {
    const slot = (this.#offsets[at + 1] as number) - (this.#offsets[at] as number);
    const n = format.endsWith('s') ? Number.parseInt(format, 10) : slot;
    return Number.isSafeInteger(n) && n >= 0 && n <= slot ? n : slot;
  }

  #write(at: number, item: Encoded): void {
    const view = this.#view();
    const bytes = this.shm.buf;
    const offset = this.#dataStart() + (this.#offsets[at] as number);
    const width = slotSize(item.format);
    // What the format covers is rewritten whole: padding and unused bytes are zeros,
    // so that the NUL-stripping read gives back exactly what was stored.
    bytes.fill(0, offset, offset + width);
    if (item.bytes !== undefined) bytes.set(item.bytes, offset);
    else if (item.format === FORMAT_INT) view.setBigInt64(offset, item.value as bigint, LITTLE_ENDIAN);
    else if (item.format === FORMAT_FLOAT) view.setFloat64(offset, item.value as number, LITTLE_ENDIAN);
    else if (item.format === FORMAT_BOOL) view.setUint8(offset + 7, item.value === true ? 1 : 0);
    const formats = this.#formatsStart() + WORD * at;
    bytes.fill(0, formats, formats + WORD);
    bytes.set(encoder.encode(item.format), formats);
    view.setInt8(this.#kindsStart() + at, item.kind);
  }

  /** Reads N and the slot offsets of an attached list, checking that they fit the block. */
  #readHeader(): [number, number[]] {
    const buf = this.shm.buf;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const notAList = (why: string): RangeError =>
      new RangeError(`Shared memory '${this.shm.name}' (${this.shm.size} bytes) does not hold a ShareableList: ${why}`);
    if (buf.byteLength < 2 * WORD) throw notAList('it is too small for the header');
    const n = view.getBigInt64(0, LITTLE_ENDIAN);
    if (n < 0n || (n + 2n) * BigInt(WORD) > BigInt(buf.byteLength)) throw notAList(`its item count reads ${n}`);
    const length = Number(n);
    const offsets: number[] = [];
    for (let i = 0; i <= length; i++) {
      const offset = Number(view.getBigInt64(WORD * (i + 1), LITTLE_ENDIAN));
      if (offset < (offsets.at(-1) ?? 0)) throw notAList(`its slot offsets are not in order`);
      offsets.push(offset);
    }
    if (WORD * (length + 2) + (offsets.at(-1) as number) + 9 * length > buf.byteLength) throw notAList('its slots overrun the block');
    return [length, offsets];
  }
}

/** The bytes a format occupies in the data area: 8, or n for '<n>s'. */
function slotSize(format: string): number {
  return format.endsWith('s') ? Number.parseInt(format, 10) : WORD;
}
