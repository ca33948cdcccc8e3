import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allocateShared, ref } from '@mp/core';
import { Pool } from '@mp/pool';
import { hostilePayloads } from '../../core/test/fixtures/hostile.ts';

const dir = mkdtempSync(join(tmpdir(), 'mp-pool-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const receive = ref(new URL('../../core/test/fixtures/hostile.ts', import.meta.url), 'receive');

describe.each(['thread', 'process'] as const)('hostile task arguments (%s workers)', (method) => {
  it('arrive as data beside a real shared object, and load no module', async () => {
    const path = join(dir, `ran-${method}`);
    const region = allocateShared(8);
    const pool = new Pool({ processes: 1, context: method });
    try {
      await pool.apply(receive, [{ region, request: hostilePayloads(path) }, path]);
    } finally {
      await pool.terminate();
    }
    expect(Atomics.load(region.int32(), 0)).toBe(1);
    expect(existsSync(path)).toBe(false);
  });
});
