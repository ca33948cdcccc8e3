/** Samples kept per measure: the percentiles of `stats()` are of the latest this many tasks. */
export const RESERVOIR_SIZE = 1_024;

/**
 * The latest {@link RESERVOIR_SIZE} samples of a duration, in a ring: O(1) to
 * record (one store), and percentiles by sorting a copy of at most 1,024
 * numbers when asked (tens of µs), so that a server can call `stats()` per request.
 */
export class Reservoir {
  readonly #samples = new Float64Array(RESERVOIR_SIZE);
  #count = 0;

  record(ms: number): void {
    this.#samples[this.#count++ % RESERVOIR_SIZE] = ms;
  }

  /** p50, p90, p99 in ms (nearest rank), or zeros with no sample yet. */
  percentiles(): Percentiles {
    const n = Math.min(this.#count, RESERVOIR_SIZE);
    if (n === 0) return { p50: 0, p90: 0, p99: 0 };
    const sorted = this.#samples.slice(0, n).sort();
    const at = (q: number) => sorted[Math.min(n - 1, Math.ceil(q * n) - 1)]!;
    return { p50: at(0.5), p90: at(0.9), p99: at(0.99) };
  }
}

/** Percentiles of a duration, in milliseconds. */
export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/**
 * What `pool.stats()` returns: a snapshot of the pool's load.
 */
export interface PoolStats {
  /** The workers now: running a task, ready with nothing to do, or still starting. */
  readonly workers: { readonly busy: number; readonly idle: number; readonly starting: number };
  /** Tasks waiting for a worker (a `map` chunk counts as one task). */
  readonly queued: number;
  /** Tasks (an `apply`, a chunk) that succeeded since the pool started. */
  readonly completed: number;
  /** Tasks that failed: the task threw, its worker was lost, its arguments or result could not be sent. */
  readonly failed: number;
  /** Tasks cancelled: a signal, a deadline, a `break` out of `imap`, `close({ cancelPending })`, `terminate()`. */
  readonly cancelled: number;
  /** Time from sending a task to a worker to its answer (ms), over the latest 1,024 tasks. */
  readonly runTime: Percentiles;
  /** Time a task waited in the queue before it was sent to a worker (ms), over the latest 1,024 tasks. */
  readonly waitTime: Percentiles;
  /** The share (0–1) of the workers' time spent running tasks since the pool started. */
  readonly utilization: number;
}
