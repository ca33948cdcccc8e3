import { inspect } from 'node:util';
import { ref } from '@mp/core';
import { Pool } from '@mp/pool';
import { describe, expect, it } from 'vitest';

describe('repr', () => {
  it('String(), inspect() and console.log agree for Pool and AsyncResult', async () => {
    const pool = new Pool({ processes: 1 });
    try {
      expect(String(pool)).toBe('<Pool state=RUN pool_size=1>');
      expect(inspect(pool)).toBe(String(pool));
      const result = pool.applyAsync(ref('node:os', 'cpus'), []);
      expect(inspect(result)).toBe(String(result));
      await result.wait(30_000);
      expect(String(result)).toBe('<AsyncResult ready successful>');
      expect(inspect(result)).toBe(String(result));
    } finally {
      await pool.terminate();
    }
    expect(String(pool)).toBe('<Pool state=TERMINATE pool_size=1>');
  });
});
