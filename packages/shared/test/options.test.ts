import { describe, expect, it } from 'vitest';
import { SharedArray, Value } from '@mp/shared';

describe('unknown options of Value and SharedArray are a TypeError', () => {
  it('names the key, the likely intended one and the valid ones', () => {
    expect(() => new Value('i', 0, { lok: false } as never)).toThrow(TypeError);
    expect(() => new Value('i', 0, { lok: false } as never)).toThrow(
      "Unknown Value('i') option `lok` (did you mean `lock`?): the valid options are `lock`",
    );
    expect(() => new SharedArray('d', 2, { locked: true } as never)).toThrow(/^Unknown SharedArray\('d'\) option `locked`/);
  });

  it('accepts the lock option and no options', () => {
    expect(new Value('i', 1, { lock: false }).value).toBe(1);
    expect(new SharedArray('i', 2, {}).length).toBe(2);
    expect(new SharedArray('i', 2).length).toBe(2);
  });
});
