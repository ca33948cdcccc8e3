import { deserialize, serialize } from 'node:v8';
import { isDeepStrictEqual } from 'node:util';
import { FullError, Pipe, Queue } from '@mp/ipc';
import { describe, expect, it } from 'vitest';

/** Own enumerable keys, recursively, in order: structured clone keeps the order. */
function shape(value: unknown, seen = new Set<unknown>()): unknown {
  if (typeof value !== 'object' || value === null || seen.has(value)) return typeof value;
  seen.add(value);
  return [Object.getPrototypeOf(value)?.constructor?.name ?? 'null', Object.keys(value).map((k) => [k, shape((value as Record<string, unknown>)[k], seen)])];
}

function sameAsStructuredClone(value: unknown, got: unknown): void {
  const expected: unknown = deserialize(serialize(value));
  expect(isDeepStrictEqual(got, expected)).toBe(true);
  expect(shape(got)).toEqual(shape(expected));
}

const getterCalls = { count: 0 };
const withGetter = {
  get computed() {
    getterCalls.count++;
    return 42;
  },
  plain: 1,
};
const withHidden = Object.defineProperty({ shown: 1 }, 'hidden', { value: 2, enumerable: false });
const withSymbol = { a: 1, [Symbol('s')]: 2 };
const holes = [1, , 3]; // eslint-disable-line no-sparse-arrays
const extra = Object.assign([1, 2], { extra: 'prop' });
const match = /b(c)/.exec('abcd');
const shared = { id: 1 };
const cycle: Record<string, unknown> = { name: 'cycle' };
cycle['self'] = cycle;
class Point {
  x = 1;
  y = 2;
}

const CASES: [string, unknown][] = [
  ['a tuple', [1, 2]],
  ['a record', { id: 7, name: 'job', tags: ['a', 'b'], done: false, parent: null, note: undefined }],
  ['integer-like keys in V8 order', { b: 1, 2: 'two', a: 3, 1: 'one' }],
  ['-0 and NaN inside', [-0, NaN, Infinity, -Infinity, 2 ** 53]],
  ['empty containers', [[], {}, [[]], { a: {} }, '']],
  ['unicode keys and values', { 'ключ': 'значение', '🎉': '✓', 'é': ['ü'] }],
  ['a lone surrogate value', { text: '\ud800x' }],
  ['a lone surrogate key', { '\udc00': 1 }],
  ['a getter (its value is cloned)', withGetter],
  ['a non-enumerable property (dropped)', withHidden],
  ['a symbol key (dropped)', withSymbol],
  ['an array with holes', holes],
  ['an array with an extra property', extra],
  ['a RegExp match array', match],
  ['the same object twice', [shared, shared]],
  ['a cycle', cycle],
  ['a class instance (becomes a plain object)', new Point()],
  ['a null-prototype object', Object.assign(Object.create(null) as object, { a: 1 })],
  ['a __proto__ own key', JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as unknown],
  ['nested other types', { when: new Date(0), map: new Map([[1, 2]]), bytes: new Uint8Array([1]), big: 10n }],
  ['deep nesting', JSON.parse('['.repeat(40) + ']'.repeat(40)) as unknown],
  ['a long array', Array.from({ length: 2_000 }, (_, i) => i)],
  ['a large record', Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, { i, s: `v${i}` }]))],
  ['boxed primitives', [Object(1) as unknown, Object('s') as unknown]],
];

describe('items are received exactly as structured clone gives them', () => {
  it.each(CASES)('%s (Queue)', (_, value) => {
    const q = new Queue<unknown>();
    q.putSync(value);
    const got = q.getSync();
    sameAsStructuredClone(value, got);
  });

  it.each(CASES)('%s (Pipe, and recvBytes gives the v8.serialize form)', (_, value) => {
    const [a, b] = Pipe<unknown>();
    a.send(value);
    sameAsStructuredClone(value, b.recvSync());
    a.send(value);
    sameAsStructuredClone(value, deserialize(b.recvBytesSync()));
  });

  it('refuses a proxy, as structured clone does', () => {
    const q = new Queue<unknown>();
    expect(() => q.putSync([new Proxy({ a: 1 }, {})])).toThrow(/could not be cloned|cannot be sent/);
    expect(q.qsize()).toBe(0);
  });

  it('keeps shared structure and cycles', () => {
    const q = new Queue<unknown>();
    q.putSync([shared, shared]);
    const [first, second] = q.getSync() as [object, object];
    expect(first).toBe(second);
    q.putSync(cycle);
    const got = q.getSync() as Record<string, unknown>;
    expect(got['self']).toBe(got);
  });

  it('a getter runs once per put of a plain record', () => {
    const q = new Queue<unknown>();
    getterCalls.count = 0;
    q.putSync(withGetter);
    expect(getterCalls.count).toBe(1);
    expect(q.getSync()).toEqual({ computed: 42, plain: 1 });
  });

  it('a getter that sends another item while its record is being encoded', () => {
    const q = new Queue<unknown>();
    const inner = new Queue<unknown>();
    const sneaky = {
      get value() {
        inner.putSync({ nested: [1, 2, 3] });
        return 'outer';
      },
      after: [4, 5],
    };
    q.putSync(sneaky);
    expect(q.getSync()).toEqual({ value: 'outer', after: [4, 5] });
    expect(inner.getSync()).toEqual({ nested: [1, 2, 3] });
  });

  it('a waiting put keeps its own copy of a plain item while others are encoded', async () => {
    const q = new Queue<unknown>(1);
    q.putSync('fill');
    const pending = q.put({ first: [1, 2, 3] });
    // Encodes another plain item into the same scratch space, then finds the queue full.
    expect(() => q.putNowait({ second: 'overwrites the scratch buffer' })).toThrow(FullError);
    expect(q.getSync()).toBe('fill');
    await pending;
    expect(q.getSync()).toEqual({ first: [1, 2, 3] });
  });
});
