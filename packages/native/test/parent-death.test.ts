import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processStartTime, setParentDeathSignal } from '@mp/native';
import { cleanup, spawn, until } from './helpers.ts';

const HANG_GUARD_MS = 20_000;

/** Gone: no such process, or a zombie nobody reaped yet (it runs no code). */
function isGone(pid: number): boolean {
  return processStartTime(pid) === undefined;
}

const grandchildren: number[] = [];
const temporaries: string[] = [];
afterEach(async () => {
  for (const pid of grandchildren.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  for (const dir of temporaries.splice(0)) rmSync(dir, { recursive: true, force: true });
  await cleanup();
});

/**
 * A parent whose child set the parent-death signal `signal`, then spins in
 * synchronous code for ever; resolves with both once the child is ready.
 */
async function family(signal: string): Promise<{ parent: ReturnType<typeof spawn>; child: number; set: boolean }> {
  const parent = spawn('death-signal-parent', [signal]);
  const { pid, set } = await parent.message<{ pid: number; set: boolean }>();
  grandchildren.push(pid);
  return { parent, child: pid, set };
}

describe('setParentDeathSignal()', () => {
  it.each(['SIGKILL', '9', 'SIGTERM'])(
    'with %s, a child busy in synchronous code dies when its parent is SIGKILLed',
    async (signal) => {
      const { parent, child, set } = await family(signal);
      expect(set).toBe(true);
      expect(isGone(child)).toBe(false);
      parent.process.kill('SIGKILL');
      expect((await parent.exited).signal).toBe('SIGKILL');
      await until(() => isGone(child), `the child ${child} is gone`, HANG_GUARD_MS);
    },
  );

  it('returns true where it works; 0 clears the setting', () => {
    expect(setParentDeathSignal(0)).toBe(true);
  });

  it('rejects what is not a signal, with what it expected and what it got', () => {
    expect(() => setParentDeathSignal('SIGNOPE' as NodeJS.Signals)).toThrow(
      new TypeError(
        "Expected `signal` of setParentDeathSignal() to be a signal name of os.constants.signals such as 'SIGKILL', " +
          "or a signal number, got `'SIGNOPE'` (string)",
      ),
    );
    expect(() => setParentDeathSignal('toString' as NodeJS.Signals)).toThrow(TypeError);
    expect(() => setParentDeathSignal({} as unknown as number)).toThrow(TypeError);
    for (const bad of [-1, 65, 1.5, Number.NaN, Infinity]) {
      expect(() => setParentDeathSignal(bad)).toThrow(RangeError);
    }
    expect(() => setParentDeathSignal(65)).toThrow(
      "Expected `signal` of setParentDeathSignal() to be a signal name such as 'SIGKILL', or an integer from 0 " +
        '(clear it) to 64, got `65` (number)',
    );
  });

  it('returns false, and does not throw, where the addon is not built', () => {
    // A copy of the package without any binary (as on a platform no prebuilt binary fits, before
    // building): its compiled JavaScript and its package.json only.
    const scratch = mkdtempSync(join(tmpdir(), 'mp-native-unbuilt-'));
    temporaries.push(scratch);
    const root = join(scratch, 'node_modules', '@mp', 'native');
    mkdirSync(root, { recursive: true });
    const packageRoot = new URL('..', import.meta.url);
    cpSync(new URL('dist', packageRoot), join(root, 'dist'), { recursive: true });
    cpSync(new URL('package.json', packageRoot), join(root, 'package.json'));
    const probe = join(root, 'probe.mjs');
    writeFileSync(
      probe,
      `import { setParentDeathSignal } from './dist/index.js';
       let bad; try { setParentDeathSignal('SIGNOPE'); } catch (e) { bad = e.name; }
       console.log(JSON.stringify({ result: setParentDeathSignal('SIGKILL'), bad }));`,
    );
    expect(JSON.parse(execFileSync(process.execPath, [probe], { encoding: 'utf8' }))).toEqual({ result: false, bad: 'TypeError' });
  });
});
