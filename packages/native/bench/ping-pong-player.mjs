// One player of a cross-process ping-pong on word 0 of a segment (see futex.bench.ts).
// argv: name role rounds mode(sync|async) spins
//
// Protocol (spin, then futex): the player whose turn it is not spins on the word for
// `spins` loads; then it announces that it sleeps (word 2 + role) and sleeps in futex
// while the word is unchanged. A mover stores the new value and calls futexWake only
// when the other side announced sleep. Both sides use seq_cst Atomics, so either the
// mover sees the announcement, or the sleeper sees the new value before sleeping:
// a wake-up cannot be lost, and no syscall is made while both spin.
import { futexWait, futexWaitAsync, futexWake, openSegment } from '@mp/native';

const [name, roleText, roundsText, mode, spinsText] = process.argv.slice(2);
const role = Number(roleText);
const rounds = Number(roundsText);
const spins = Number(spinsText);
const words = new Int32Array(openSegment(name));
const TURN = 0;
const READY = 1;
const mySleep = 2 + role;
const theirSleep = 3 - role;

async function awaitTurn(mine) {
  for (let i = 0; i < spins; i++) if (Atomics.load(words, TURN) === mine) return;
  for (;;) {
    Atomics.store(words, mySleep, 1);
    const value = Atomics.load(words, TURN);
    if (value === mine) break;
    if (mode === 'sync') futexWait(words, TURN, value);
    else await futexWaitAsync(words, TURN, value);
  }
  Atomics.store(words, mySleep, 0);
}

function move(next) {
  Atomics.store(words, TURN, next);
  if (Atomics.load(words, theirSleep) === 1) futexWake(words, TURN, 1);
}

// Start together.
Atomics.add(words, READY, 1);
while (Atomics.load(words, READY) < 2);
const t0 = performance.now();
for (let round = 0; round < rounds; round++) {
  await awaitTurn(2 * round + role);
  move(2 * round + role + 1);
}
process.send({ elapsedMs: performance.now() - t0 });
