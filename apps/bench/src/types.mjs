// The shapes shared by the runner, the cases and the report (JSDoc only).
export {};

/**
 * One figure a case reports, e.g. "ms per start+join" (lower is better).
 * @typedef {object} Metric
 * @property {string} id - stable key in the JSON report
 * @property {string} title - what is measured, as the table's heading
 * @property {string} unit - e.g. 'ms', 'µs/round trip', 'items/s'
 * @property {'lower' | 'higher'} better
 */

/**
 * Who does the work: @mp under one start method, CPython under one start method, a
 * Node.js peer library, or the raw Node.js mechanism underneath (the floor).
 * @typedef {'mp-thread' | 'mp-process' | 'cpython-fork' | 'cpython-spawn' | 'peer' | 'floor'} Kind
 */

/**
 * One column of a case: how one contender does the case's work.
 * @typedef {object} Variant
 * @property {string} name - the row label, e.g. "@mp 'thread'", 'CPython fork', 'piscina'
 * @property {Kind} kind
 * @property {(scope: import('./scope.mjs').Scope) => Promise<number | Record<string, number>>} once -
 *   one timed repetition; a number for a one-metric case, else one number per metric id
 * @property {() => Promise<void>} [setup] - untimed, before the first repetition (start a
 *   pool and warm it up); throwing SkipError marks the variant skipped
 */

/**
 * @typedef {object} Case
 * @property {string} id
 * @property {string} title
 * @property {string} detail - what exactly is timed (printed under the title and in --json)
 * @property {Metric[]} metrics
 * @property {Variant[]} variants
 */

/**
 * Sizes of every case: the full run, or tiny ones for `--quick`.
 * @typedef {object} Sizes
 * @property {number} reps - timed repetitions of every variant
 * @property {boolean} warmUpRound - one untimed round first
 * @property {number} repTimeoutMs - a repetition that takes longer fails (hang guard)
 * @property {number} processesAtOnce - "ten at once"
 * @property {number} poolProcesses
 * @property {number} mapItems
 * @property {number} applies
 * @property {number} poolWarmUpMs
 * @property {number} queueSmall
 * @property {number} queueKib
 * @property {number} pipeTrips
 * @property {number} lockOps
 * @property {number} increments
 * @property {number} eventTrips
 * @property {number} warmUpTrips - untimed round trips before the timed ones
 * @property {number} arrayLength
 */

/**
 * The outcome of one variant for one metric.
 * @typedef {object} Outcome
 * @property {string} name
 * @property {Kind} kind
 * @property {number[]} samples
 * @property {number} [median]
 * @property {number} [min]
 * @property {number} [max]
 * @property {string} [na] - why there is no figure: 'StartMethodError', 'skipped: python3 not found'
 * @property {string} [error] - the failure, when the variant failed
 */
