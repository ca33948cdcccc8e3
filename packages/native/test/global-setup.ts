import { readdirSync } from 'node:fs';

const entries = (): string[] => readdirSync('/dev/shm').filter((entry) => /^mp-\d+-[0-9a-f]+$/.test(entry));

/**
 * Fails the run when the suite leaves segments in /dev/shm: every test unlinks what
 * it creates, and the tracker tests wait until the tracker has unlinked theirs.
 */
export default function setup(): () => void {
  const before = new Set(entries());
  return () => {
    const left = entries().filter((entry) => !before.has(entry));
    if (left.length > 0) {
      // vitest reports a throwing teardown but still exits 0: fail the run explicitly.
      process.exitCode = 1;
      throw new Error(`the suite left ${left.length} segment(s) in /dev/shm: ${left.join(', ')}`);
    }
  };
}
