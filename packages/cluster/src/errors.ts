/**
 * Raised when the pool cannot reach Redis: the address is wrong, nothing
 * listens there, or the connection did not become ready within
 * `connectTimeout` ms. Every task of the pool rejects with it; the pool does
 * not retry for ever in silence.
 *
 * Python: none (Ray raises `ConnectionError` from `ray.init()`).
 *
 * @example
 * ```ts
 * const pool = new Pool({ connection: 'redis://127.0.0.1:1' });
 * await pool.apply(square, [2]); // ClusterConnectionError: Cannot reach Redis at redis://127.0.0.1:1 …
 * ```
 */
export class ClusterConnectionError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_CLUSTER_CONNECTION' = 'ERR_MP_CLUSTER_CONNECTION';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ClusterConnectionError';
  }
}

/**
 * Raised when Redis lost the pool's jobs while they were pending: it restarted
 * without persistence (or was flushed), so the queued work and the pool's
 * records are gone. Every task still pending rejects with it — nothing is
 * re-run behind your back. Start Redis with `--appendonly yes` to make a
 * restart keep the work.
 *
 * Python: none.
 *
 * @example
 * ```ts
 * try { await pool.map(work, items); }
 * catch (error) { if (error instanceof ClusterDataLostError) console.log('Redis restarted empty; run again'); }
 * ```
 */
export class ClusterDataLostError extends Error {
  /** Stable code, usable where prototypes do not survive. */
  readonly code: 'ERR_MP_CLUSTER_DATA_LOST' = 'ERR_MP_CLUSTER_DATA_LOST';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ClusterDataLostError';
  }
}
