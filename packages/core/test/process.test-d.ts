import { describe, expectTypeOf, it } from 'vitest';
import { getContext, Process, ref, type ProcessOptions } from '@mp/core';

declare function greet(n: number): void;
declare function none(): void;
declare function mixed(a: string, b?: number): Promise<string>;
declare function rest(...values: number[]): number;

// Each `@ts-expect-error` line must fail to compile: the type test fails if it compiles.
describe('new Process({ target, args }) checks args against the target', () => {
  it('accepts matching arguments', () => {
    expectTypeOf(new Process({ target: greet, args: [1] })).toEqualTypeOf<Process<[n: number]>>();
    expectTypeOf(new Process({ target: none })).toMatchTypeOf<Process>();
    expectTypeOf(new Process({ target: none, args: [] })).toMatchTypeOf<Process>();
    expectTypeOf(new Process({ target: mixed, args: ['a'] })).toMatchTypeOf<Process>();
    expectTypeOf(new Process({ target: mixed, args: ['a', 2], name: 'x', daemon: true, context: 'thread' })).toMatchTypeOf<Process>();
    expectTypeOf(new Process({ target: rest })).toMatchTypeOf<Process>();
    expectTypeOf(new Process({ target: rest, args: [1, 2, 3] })).toMatchTypeOf<Process>();
    expectTypeOf(new Process()).toMatchTypeOf<Process>();
    expectTypeOf(new Process({ name: 'idle' })).toMatchTypeOf<Process>();
  });

  it('rejects wrong, missing and extra arguments', () => {
    // @ts-expect-error wrong type
    void new Process({ target: greet, args: ['x'] });
    // @ts-expect-error missing args for a required parameter
    void new Process({ target: greet });
    // @ts-expect-error too many
    void new Process({ target: greet, args: [1, 2] });
    // @ts-expect-error an argument for a target without parameters
    void new Process({ target: none, args: [1] });
    // @ts-expect-error wrong type in a rest parameter
    void new Process({ target: rest, args: [1, 'x'] });
    // @ts-expect-error not an array
    void new Process({ target: greet, args: 1 });
  });

  it('rejects unknown options', () => {
    // @ts-expect-error a misspelt option
    void new Process({ target: none, deamon: true });
  });

  it('accepts any args for a ref() target', () => {
    const target = ref('./tasks.js', 'work');
    expectTypeOf(new Process({ target, args: [1, 'x', { a: 1 }] })).toMatchTypeOf<Process>();
    expectTypeOf(new Process({ target })).toMatchTypeOf<Process>();
  });

  it('checks through getContext().Process and subclasses', () => {
    const ctx = getContext('process');
    expectTypeOf(new ctx.Process({ target: greet, args: [1] })).toMatchTypeOf<Process>();
    // @ts-expect-error wrong type through a context
    void new ctx.Process({ target: greet, args: ['x'] });
    class Worker extends Process {
      override run(): void {}
    }
    expectTypeOf(new Worker()).toMatchTypeOf<Process>();
  });

  it('types ProcessOptions by the parameters', () => {
    expectTypeOf<ProcessOptions<[number]>['args']>().toEqualTypeOf<[number] | undefined>();
    // Every Process is a Process, whatever its target.
    const list: Process[] = [new Process({ target: greet, args: [1] }), new Process({ target: mixed, args: ['a'] })];
    expectTypeOf(list).toEqualTypeOf<Process[]>();
  });
});
