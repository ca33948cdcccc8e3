import { describe, expect, it } from 'vitest';
import { Process, ref } from '@mp/core';
import { checkOptions } from '@mp/core/internal';

const target = ref(new URL('./fixtures/basic.ts', import.meta.url), 'noop');

describe('unknown options are a TypeError', () => {
  it('names the key, the likely intended one, and the valid ones (Process)', () => {
    expect(() => new Process({ target, deamon: true } as never)).toThrow(TypeError);
    expect(() => new Process({ target, deamon: true } as never)).toThrow(
      'Unknown Process option `deamon` (did you mean `daemon`?): the valid options are `target`, `args`, `name`, `daemon`, `context`',
    );
    expect(() => new Process({ target, startMethod: 'thread' } as never)).toThrow(/Unknown Process option `startMethod`: the valid options are/);
    // A key set to undefined is still a typo.
    expect(() => new Process({ target, arg: undefined } as never)).toThrow(/Unknown Process option `arg` \(did you mean `args`\?\)/);
  });

  it('accepts every valid option and no options at all', () => {
    expect(() => new Process({ target, args: [], name: 'x', daemon: false, context: 'thread' })).not.toThrow();
    expect(() => new Process()).not.toThrow();
    expect(() => new Process(undefined)).not.toThrow();
  });

  it('rejects options that are not an object', () => {
    expect(() => new Process(null as never)).toThrow('Expected the Process options to be an object, got `null` (null)');
    expect(() => new Process([] as never)).toThrow(/Expected the Process options to be an object/);
    expect(() => new Process('x' as never)).toThrow(/Expected the Process options to be an object/);
  });

  it('is one helper for every package (checkOptions)', () => {
    expect(checkOptions({ lock: true }, ['lock'], 'Value')).toEqual({ lock: true });
    expect(checkOptions(undefined, ['lock'], 'Value')).toEqual({});
    expect(() => checkOptions({ [Symbol('s')]: 1 }, ['lock'], 'Value')).toThrow(/Unknown Value option Symbol\(s\)/);
    expect(() => checkOptions({ zzz: 1 }, ['lock'], 'Value')).toThrow('Unknown Value option `zzz`: the valid options are `lock`');
  });
});
