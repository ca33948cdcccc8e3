// The table on stdout and the same figures as JSON (`--json FILE`).

/**
 * @typedef {import('./types.mjs').Case} Case
 * @typedef {import('./types.mjs').Metric} Metric
 * @typedef {import('./types.mjs').Outcome} Outcome
 */

/**
 * @typedef {Outcome & { speedup: { thread: number | null, process: number | null } }} Row
 * `speedup.thread`: how many times faster @mp 'thread' is than this row (> 1: @mp is
 * faster; < 1: slower), from the medians; null where either has no figure.
 */

/** @typedef {{ thread: Outcome | undefined, process: Outcome | undefined }} MpOutcomes */

/**
 * How many times faster `mine` is than `theirs`, by medians.
 * @param {Outcome | undefined} mine
 * @param {Outcome} theirs
 * @param {Metric} metric
 * @returns {number | null}
 */
function speedup(mine, theirs, metric) {
  if (mine?.median === undefined || theirs.median === undefined || mine.median === 0 || theirs.median === 0) return null;
  return metric.better === 'lower' ? theirs.median / mine.median : mine.median / theirs.median;
}

/**
 * @param {Metric} metric
 * @param {Outcome[]} outcomes
 * @returns {Row[]}
 */
export function rowsOf(metric, outcomes) {
  const thread = outcomes.find((o) => o.kind === 'mp-thread');
  const processRow = outcomes.find((o) => o.kind === 'mp-process');
  return outcomes.map((o) => ({
    ...o,
    speedup: {
      thread: o === thread ? null : speedup(thread, o, metric),
      process: o === processRow ? null : speedup(processRow, o, metric),
    },
  }));
}

/**
 * @param {number} value
 * @param {string} unit
 */
export function formatValue(value, unit) {
  if (unit === 'items/s') {
    if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
    if (value >= 1e3) return `${(value / 1e3).toFixed(0)}k`;
  }
  if (value >= 1000) return value.toFixed(0);
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** @param {number | null} ratio */
function formatRatio(ratio) {
  if (ratio === null) return '';
  return `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}×`;
}

/**
 * The text table of one metric.
 * @param {Metric} metric
 * @param {Row[]} rows
 * @returns {string}
 */
export function formatMetric(metric, rows) {
  const header = ['', `median ${metric.unit}`, 'min–max', "@mp 'thread' ×", "@mp 'process' ×"];
  const cells = rows.map((row) => {
    if (row.error !== undefined) return [row.name, `FAILED: ${row.error}`, '', '', ''];
    if (row.na !== undefined || row.median === undefined) return [row.name, `n/a (${row.na ?? 'no figure'})`, '', '', ''];
    return [
      row.name,
      formatValue(row.median, metric.unit),
      `${formatValue(/** @type {number} */ (row.min), metric.unit)}–${formatValue(/** @type {number} */ (row.max), metric.unit)}`,
      row.kind === 'mp-thread' ? '–' : formatRatio(row.speedup.thread),
      row.kind === 'mp-process' ? '–' : formatRatio(row.speedup.process),
    ];
  });
  // A FAILED / n/a text spans the columns after it: it does not widen the median column.
  const spans = (/** @type {string[]} */ row) => row[2] === '' && row[3] === '' && row[4] === '';
  const widths = header.map((h, i) => Math.max(h.length, ...cells.filter((row) => i !== 1 || !spans(row)).map((row) => (row[i] ?? '').length)));
  /** @param {string[]} row */
  const line = (row) =>
    spans(row) && row !== header
      ? `  ${(row[0] ?? '').padEnd(/** @type {number} */ (widths[0]))}  ${row[1]}`
      : `  ${row.map((cell, i) => (i === 0 ? cell.padEnd(/** @type {number} */ (widths[i])) : cell.padStart(/** @type {number} */ (widths[i])))).join('  ')}`.trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}

/**
 * The heading of a metric's table: its title (unless it repeats the case's), unit and direction.
 * @param {Metric} metric
 * @param {boolean} withTitle
 */
export function metricHeading(metric, withTitle) {
  const better = metric.better === 'lower' ? 'lower is better' : 'higher is better';
  return `${withTitle ? `${metric.title} — ` : ''}${metric.unit}, ${better}`;
}

/**
 * What a case times, wrapped to `width` columns and indented.
 * @param {string} text
 * @param {number} [width]
 */
export function formatDetail(text, width = 100) {
  /** @type {string[]} */
  const lines = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (current !== '' && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else current = current === '' ? word : `${current} ${word}`;
  }
  if (current !== '') lines.push(current);
  return lines.map((l) => `  ${l}`).join('\n');
}
