import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { lines, runExample } from './run-example.ts';

const HAVE_REDIS = spawnSync('redis-server', ['--version']).status === 0;
if (!HAVE_REDIS && process.env['CI'] === 'true') throw new Error('redis-server is not on the PATH, and CI=true never skips: apt-get install -y redis-server');
if (!HAVE_REDIS) console.log('Skipping the cluster example: redis-server is not installed (apt-get install -y redis-server)');

describe.skipIf(!HAVE_REDIS).each(['thread', 'process'] as const)('cluster example (%s)', (method) => {
  it('prints what the pool example prints, through Redis and two mp-worker processes', async () => {
    const { code, stdout, stderr } = await runExample('cluster', method, 90_000);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(lines(stdout)).toEqual(['100', '[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]']);
  }, 120_000);
});
