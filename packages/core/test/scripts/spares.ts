// A main program for the warm-spare tests (test/spares-program.test.ts), run
// under MP_START_METHOD. Modes:
//   output   children made from spares print; "joined N" follows each child's lines
//            (stdout and stderr); then the program ends by itself, its spares idle
//   lazy     a Process made but never started: no spare appears
//   orphans  prints its spares' pids (their threads under 'thread'), then waits to be killed
import { readdirSync, readFileSync, writeSync } from 'node:fs';
import { Process, isMain } from '@mp/core';

/** Prints 1 MiB of filler and a last line on stdout and on stderr: more than the stream buffers, so some is in flight at the end. */
export function say(line: string): void {
  for (const [stream, kind] of [[process.stdout, 'out'], [process.stderr, 'err']] as const) {
    for (let i = 0; i < 64; i++) stream.write(`${'.'.repeat(16_383)}\n`);
    stream.write(`${line} ${kind}\n`);
  }
}

export function noop(): void {}

/** This process's children running @mp/core's process entry. */
function entryChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'latin1').includes('entry/process')) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const threads = () => readdirSync('/proc/self/task').length;
const turn = () => new Promise((resolve) => setTimeout(resolve, 50));

if (isMain(import.meta)) {
  const mode = process.argv[2];
  if (mode === 'output') {
    const first = new Process({ target: noop });
    first.start();
    await first.join();
    for (let i = 0; i < 3; i++) {
      const p = new Process({ target: say, args: [`child ${i}`] });
      p.start();
      await p.join();
      // As a program would print (console.log): after what its children printed through it.
      process.stdout.write(`joined ${i}\n`);
      process.stderr.write(`joined ${i}\n`);
    }
  } else if (mode === 'lazy') {
    const before = threads();
    new Process({ target: noop });
    await turn();
    writeSync(1, `threads ${before} ${threads()} children ${entryChildren().length}\n`);
  } else if (mode === 'orphans') {
    const first = new Process({ target: noop });
    first.start();
    await first.join();
    // The spares are started after the child: wait until they are there.
    if (process.env['MP_START_METHOD'] === 'process') {
      // Not the first child: it reported its exit and may still be on its way out.
      const spares = () => entryChildren().filter((pid) => pid !== first.pid);
      let found = spares();
      while (found.length < 2) {
        await turn();
        found = spares();
      }
      writeSync(1, `spares ${found.join(' ')}\n`);
    } else {
      writeSync(1, `spares ${process.pid}\n`);
    }
    setInterval(() => {}, 1_000);
  }
}
