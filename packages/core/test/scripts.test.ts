import { describe, expect, it } from 'vitest';
import { runScript } from './run-script.ts';

function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

describe.each(['thread', 'process'] as const)('programs (%s)', (method) => {
  const env = { MP_START_METHOD: method };

  it.each([
    ['anonymous', /^start\(\) threw TypeError: The target is an anonymous function, which cannot travel to a child.*export function work/],
    ['inline', /^start\(\) threw TypeError: The target is an inline function \(`target: \(\) => …`\): it is named `target` only after the option.*exported/],
    ['unexported', /^start\(\) threw TypeError: The target `unexported` is not exported by file:.*bad-target\.ts: export it/],
    ['builtin', /^start\(\) threw TypeError: The target `max` is a built-in function \(native code\).*export a wrapper/],
    ['imported', /^start\(\) threw TypeError: The target `cpus` is imported from 'node:os' into file:.*bad-target\.ts, which does not export it.*pass ref\('node:os', 'cpus'\)/],
    ['namespace', /^start\(\) threw TypeError: The target `basename` is imported from 'node:path'.*pass ref\('node:path', 'basename'\)/],
    ['bound', /^start\(\) threw TypeError: The target is a bound function \(bound exported\)/],
  ])('refuses a bad target (%s) at start(), in the parent, saying what to do', async (kind, message) => {
    const { code, stdout, stderr } = await runScript('bad-target', [kind], env);
    expect(code).toBe(0);
    expect(stdout).toMatch(message);
    expect(stderr).toBe('');
  });

  it.each([
    ['missing-module', /Cannot import the module of the Process target, file:.*no-such-module\.ts/],
    ['missing-export', /`noSuchExport` is not exported by/],
    ['not-function', /`notAFunction` exported by .* is not a function: got `42` \(number\)/],
  ])('reports a bad ref() target (%s) as exit code 1 with the reason on stderr', async (kind, message) => {
    const { code, stdout, stderr } = await runScript('bad-target', [kind], env);
    expect(code).toBe(0);
    expect(stdout).toBe('exitcode=1\n');
    expect(stderr).toMatch(/^Process Process-1:\n/);
    expect(stderr).toMatch(message);
  });

  it('prints an uncaught error under a Process header, as Python prints a traceback', async () => {
    const { stdout, stderr } = await runScript('error-output', [], env);
    expect(stdout).toBe('exitcode=1\n');
    expect(stderr).toMatch(/^Process Process-1:\nError: boom from the child\n\s+at \S*failing \(.*error-output\.ts/);
  });

  it('refuses an unguarded start() in a module imported by a child, explaining isMain', async () => {
    const { code, stdout, stderr } = await runScript('unguarded', [], env);
    expect(code).toBe(0);
    expect(stdout).toBe('exitcode=1\n');
    expect(stderr).toMatch(/Cannot start a process from a module that is being imported by a child.*isMain\(import\.meta\)/s);
    expect(stderr.match(/Process Process-/g)).toHaveLength(1);
  });

  it('waits for non-daemon children at exit and terminates daemon children', async () => {
    const { code, stdout } = await runScript('at-exit', [], env);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^daemon pid=\d+\nmain done\nchild done\n$/);
    if (method === 'process') {
      const pid = Number(/pid=(\d+)/.exec(stdout)![1]);
      await expect.poll(() => processIsGone(pid), { timeout: 5_000 }).toBe(true);
    }
  });

  it('isMain is true in the entry module only', async () => {
    const { stdout } = await runScript('is-main', [], env);
    // The child imports the entry module to find its target: top-level code runs there too.
    expect(stdout).toBe('entry=true imported=false\nentry=false imported=false\nchild exitcode=0\n');
  });
});

describe('a process-local arena (MP_SHARED_MEMORY=local)', () => {
  it('refuses shared memory for a process child, naming the start method', async () => {
    const { code, stdout, stderr } = await runScript('local-memory', [], { MP_SHARED_MEMORY: 'local' });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^StartMethodError: .*'process' start method/);
    // The cause, and how to undo it.
    expect(stdout).toContain('MP_SHARED_MEMORY=local keeps');
    expect(stdout).toContain('Unset MP_SHARED_MEMORY');
  });

  it('says the addon is missing, and why, when that is the cause', async () => {
    const preload = new URL('./scripts/pretend-darwin.mjs', import.meta.url).href;
    const { stdout } = await runScript('local-memory', [], { NODE_OPTIONS: `--import ${preload}` });
    expect(stdout).toMatch(/^StartMethodError: .*'process' start method/);
    expect(stdout).toContain('@mp/native addon');
    expect(stdout).toContain('darwin');
    expect(stdout).not.toContain('MP_SHARED_MEMORY=local');
  });

  it('refuses a value of MP_SHARED_MEMORY it does not know, naming it', async () => {
    const { code, stderr } = await runScript('local-memory', [], { MP_SHARED_MEMORY: 'bogus' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/RangeError: Expected MP_SHARED_MEMORY to be 'shared' or 'local', got "bogus"/);
  });

  it.each(['4GB', 'abc', '1'])('refuses MP_SHARED_MEMORY_BYTES=%s, naming the variable', async (value) => {
    const { code, stderr } = await runScript('local-memory', [], { MP_SHARED_MEMORY_BYTES: value });
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`RangeError: Expected MP_SHARED_MEMORY_BYTES to be a size from 1MiB to 2GiB.*got "${value}"`));
  });

  it.each(['512MiB', '64mb', '8388608'])('takes MP_SHARED_MEMORY_BYTES=%s', async (value) => {
    const { stdout } = await runScript('local-memory', ['thread'], { MP_SHARED_MEMORY_BYTES: value });
    expect(stdout).toBe('total 4\n');
  });

  it('still shares memory with thread children', async () => {
    const { stdout } = await runScript('local-memory', ['thread'], { MP_SHARED_MEMORY: 'local' });
    expect(stdout).toBe('total 4\n');
  });
});

describe('async waits', () => {
  it.each(['thread', 'process'])('keep the program alive while they wait (%s child)', async (method) => {
    const { code, stdout } = await runScript('wait-async', [], { MP_START_METHOD: method });
    expect(code).toBe(0);
    expect(stdout).toBe('woke ok 1\n');
  });

  it('keep the program alive while they wait (process-local arena)', async () => {
    const { code, stdout } = await runScript('wait-async', [], { MP_START_METHOD: 'thread', MP_SHARED_MEMORY: 'local' });
    expect(code).toBe(0);
    expect(stdout).toBe('woke ok 1\n');
  });
});
