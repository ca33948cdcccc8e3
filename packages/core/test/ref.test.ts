import { describe, expect, it } from 'vitest';
import { isTaskRef, ref } from '@mp/core';

describe('ref', () => {
  it('names a function by module URL and export', () => {
    const r = ref(new URL('./fixtures/basic.ts', import.meta.url), 'noop');
    expect(r).toEqual({ module: new URL('./fixtures/basic.ts', import.meta.url).href, name: 'noop' });
    expect(Object.isFrozen(r)).toBe(true);
    expect(isTaskRef(r)).toBe(true);
    expect(isTaskRef({ module: 'x' })).toBe(false);
  });

  it('resolves paths relative to the calling module, and absolute paths', () => {
    expect(ref('./fixtures/basic.ts', 'noop').module).toBe(new URL('./fixtures/basic.ts', import.meta.url).href);
    expect(ref('/tmp/tasks.js', 'x').module).toBe('file:///tmp/tasks.js');
    expect(ref('some-package/tasks', 'x').module).toBe('some-package/tasks');
  });

  it('rejects bad input', () => {
    expect(() => ref('', 'x')).toThrow(TypeError);
    expect(() => ref(42 as never, 'x')).toThrow(/`module`/);
    expect(() => ref('./x.js', '')).toThrow(/`name`/);
  });
});
