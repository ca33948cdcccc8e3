// Runs every variant of every case `reps` times, round-robin: repetition r of all of
// them before repetition r + 1 of any, so that drift of the machine (other jobs, thermal
// state, a background GC) spreads over all contenders alike instead of hitting one case.
// Odd rounds run the list backwards, so that no variant always follows the same one.
import { Scope } from './scope.mjs';
import { SkipError, isStartMethodError } from './errors.mjs';
import { summarize } from './stats.mjs';
import { cleanUp, withTimeout } from './timeout.mjs';

/**
 * @typedef {import('./types.mjs').Case} Case
 * @typedef {import('./types.mjs').Variant} Variant
 * @typedef {import('./types.mjs').Outcome} Outcome
 */

/**
 * @typedef {object} Unit
 * @property {Case} bench
 * @property {Variant} variant
 * @property {Map<string, number[]>} samples - metric id → samples
 * @property {string} [na]
 * @property {string} [error]
 */

/**
 * @typedef {object} RunOptions
 * @property {number} reps
 * @property {boolean} warmUpRound
 * @property {number} repTimeoutMs
 * @property {(line: string) => void} [progress]
 * @property {() => Promise<unknown>} [quiesce] - untimed, before every repetition: lets work that the last
 *   repetition left running in the background (warm spares being replaced) finish, so that it does not land on
 *   whichever contender comes next
 */

/**
 * @param {readonly Case[]} cases
 * @param {RunOptions} options
 * @returns {Promise<Map<Case, Map<string, Outcome[]>>>} per case, per metric id, one outcome per variant
 */
export async function runInterleaved(cases, options) {
  const progress = options.progress ?? (() => {});
  /** @type {Unit[]} */
  const units = cases.flatMap((bench) =>
    bench.variants.map((variant) => ({ bench, variant, samples: new Map(bench.metrics.map((m) => [m.id, []])) })),
  );

  for (const unit of units) {
    if (!unit.variant.setup) continue;
    progress(`setup: ${unit.bench.id} ${unit.variant.name}`);
    try {
      await withTimeout(unit.variant.setup(), options.repTimeoutMs, 'setup');
    } catch (error) {
      settle(unit, error);
    }
  }

  const rounds = (options.warmUpRound ? 1 : 0) + options.reps;
  for (let round = 0; round < rounds; round++) {
    const timed = !options.warmUpRound || round > 0;
    const order = round % 2 === 0 ? units : [...units].reverse();
    for (const unit of order) {
      if (unit.na !== undefined || unit.error !== undefined) continue;
      progress(`${timed ? `rep ${round + (options.warmUpRound ? 0 : 1)}/${options.reps}` : 'warm-up'}: ${unit.bench.id} ${unit.variant.name}`);
      const scope = new Scope();
      try {
        if (options.quiesce) await withTimeout(options.quiesce(), options.repTimeoutMs, 'quiesce');
        const figure = await withTimeout(unit.variant.once(scope), options.repTimeoutMs, 'repetition');
        if (timed) record(unit, figure);
      } catch (error) {
        settle(unit, error);
        await cleanUp(`${unit.bench.id} ${unit.variant.name} (after: ${String(unit.error ?? unit.na)})`, () => scope.abort());
      } finally {
        await cleanUp(`${unit.bench.id} ${unit.variant.name}`, () => scope.close());
      }
    }
  }

  /** @type {Map<Case, Map<string, Outcome[]>>} */
  const results = new Map();
  for (const bench of cases) {
    /** @type {Map<string, Outcome[]>} */
    const byMetric = new Map();
    for (const metric of bench.metrics) {
      byMetric.set(
        metric.id,
        units
          .filter((unit) => unit.bench === bench)
          .map((unit) => outcome(unit, /** @type {number[]} */ (unit.samples.get(metric.id)))),
      );
    }
    results.set(bench, byMetric);
  }
  return results;
}

/**
 * @param {Unit} unit
 * @param {number | Record<string, number>} figure
 */
function record(unit, figure) {
  const figures = typeof figure === 'number' ? { [/** @type {string} */ (unit.bench.metrics[0]?.id)]: figure } : figure;
  for (const [id, samples] of unit.samples) {
    const value = figures[id];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new Error(`${unit.bench.id} / ${unit.variant.name}: no finite figure for metric '${id}' (got ${String(value)})`);
    }
    samples.push(value);
  }
}

/**
 * Marks a unit that will not run again: n/a for a StartMethodError or a skip, failed otherwise.
 * @param {Unit} unit
 * @param {unknown} error
 */
function settle(unit, error) {
  if (isStartMethodError(error)) unit.na = 'StartMethodError';
  else if (error instanceof SkipError) unit.na = `skipped: ${error.message}`;
  else unit.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * @param {Unit} unit
 * @param {number[]} samples
 * @returns {Outcome}
 */
function outcome(unit, samples) {
  /** @type {Outcome} */
  const base = { name: unit.variant.name, kind: unit.variant.kind, samples };
  if (unit.error !== undefined) return { ...base, error: unit.error };
  if (unit.na !== undefined) return { ...base, na: unit.na };
  if (samples.length === 0) return { ...base, error: 'no repetition ran' };
  return { ...base, ...summarize(samples) };
}
