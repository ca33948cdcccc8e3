// The cost of index access on SharedArray: `get(i)`/`set(i, x)` with the index
// Proxy above SharedArray.prototype (as shipped) and with it taken out (the
// baseline), in one run; then `arr[i]` itself. The Proxy sees only lookups that
// miss the instance and its prototype, so get/set should not move.
import { performance } from 'node:perf_hooks';
import { SharedArray } from '@mp/shared';

const LENGTH = 1_000;
const PASSES = 2_000;
const ROUNDS = 7;

function best(run: () => void): number {
  let fastest = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    run();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}

function getSet(arr: SharedArray<'i'>): () => void {
  return () => {
    for (let pass = 0; pass < PASSES; pass++) for (let i = 0; i < LENGTH; i++) arr.set(i, arr.get(i) + 1);
  };
}

function indexed(arr: SharedArray<'i'>): () => void {
  return () => {
    for (let pass = 0; pass < PASSES; pass++) for (let i = 0; i < LENGTH; i++) arr[i] = arr[i]! + 1;
  };
}

export async function main(): Promise<void> {
  const ops = LENGTH * PASSES;
  const ns = (ms: number) => ((ms * 1e6) / ops).toFixed(1);
  const proto = SharedArray.prototype as object;
  const indexProxy = Object.getPrototypeOf(proto) as object;
  const rows: [string, number][] = [];
  for (const lock of [false, true]) {
    const arr = new SharedArray('i', LENGTH, { lock });
    // Alternate so that neither side always runs warm.
    Object.setPrototypeOf(proto, Object.prototype);
    const plain1 = best(getSet(arr));
    Object.setPrototypeOf(proto, indexProxy);
    const proxied1 = best(getSet(arr));
    Object.setPrototypeOf(proto, Object.prototype);
    const plain2 = best(getSet(arr));
    Object.setPrototypeOf(proto, indexProxy);
    const proxied2 = best(getSet(arr));
    const byIndex = best(indexed(arr));
    const label = lock ? 'lock: true ' : 'lock: false';
    rows.push([`${label} get(i)+set(i), no index Proxy (baseline)`, Math.min(plain1, plain2)]);
    rows.push([`${label} get(i)+set(i), index Proxy (shipped)`, Math.min(proxied1, proxied2)]);
    rows.push([`${label} arr[i] = arr[i] + 1 (through the Proxy)`, byIndex]);
  }
  console.log(`SharedArray element access, ${ops.toLocaleString()} read+write pairs, best of ${ROUNDS}:`);
  for (const [name, ms] of rows) console.log(`  ${name.padEnd(58)} ${ns(ms).padStart(7)} ns/pair`);
}
