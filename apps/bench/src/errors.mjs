// How the runner tells "cannot run here (yet)" from a failure.

/** A variant that cannot run on this machine (python3 missing): shown as "skipped (reason)". */
export class SkipError extends Error {
  /** @param {string} reason */
  constructor(reason) {
    super(reason);
    this.name = 'SkipError';
  }
}

/**
 * True for @mp/core's StartMethodError: a shared object passed to a child whose start
 * method cannot share memory yet. Recognised by `name`/`code`, not `instanceof`: the
 * error may have crossed a thread or process boundary, where prototypes are lost.
 * @param {unknown} error
 */
export function isStartMethodError(error) {
  const e = /** @type {{ name?: unknown, code?: unknown } | null | undefined} */ (error);
  return e?.name === 'StartMethodError' || e?.code === 'ERR_MP_START_METHOD';
}
