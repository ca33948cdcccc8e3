// Manager().dict() round trips from a child: `set` then `get`, each a call to the manager
// process; the child stores its mean per round trip in the dict itself.

/**
 * @param {import('@mp/managers').DictProxy<string, number>} d
 * @param {number} n
 * @param {number} warm
 */
export async function dictTrips(d, n, warm) {
  for (let i = 0; i < warm; i++) {
    await d.set('k', i);
    await d.get('k');
  }
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    await d.set('k', i);
    await d.get('k');
  }
  await d.set('us', ((performance.now() - start) * 1e3) / n);
}
