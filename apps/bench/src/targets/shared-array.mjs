// The child of the SharedArray case: sums the array it received, holding the array's
// lock once around the loop over the live view — Python's
// `with a.get_lock(): sum(a.get_obj())`.

/**
 * @param {import('@mp/shared').SharedArray<'d'>} array
 * @param {Float64Array} report - [ms, sum]
 */
export function sum(array, report) {
  const start = performance.now();
  const lock = array.getLock();
  lock.acquireSync();
  let total = 0;
  try {
    const raw = array.raw;
    for (let i = 0; i < raw.length; i++) total += /** @type {number} */ (raw[i]);
  } finally {
    lock.release();
  }
  report[0] = performance.now() - start;
  report[1] = total;
}
