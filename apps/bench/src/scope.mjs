// What one repetition of one variant leaves behind: children to reap, servers to
// restart. The runner closes the scope after every repetition, and aborts it first
// when the repetition failed or timed out, so nothing a failed case started keeps
// running into the next case.

export class Scope {
  /** @type {(() => unknown)[]} */
  #always = [];
  /** @type {(() => unknown)[]} */
  #onAbort = [];

  /**
   * Runs `fn` when the repetition ends, whatever happened.
   * @param {() => unknown} fn
   */
  defer(fn) {
    this.#always.push(fn);
  }

  /**
   * Runs `fn` only when the repetition failed or timed out.
   * @param {() => unknown} fn
   */
  onAbort(fn) {
    this.#onAbort.push(fn);
  }

  /** Runs the abort handlers (last registered first). */
  async abort() {
    await runAll(this.#onAbort.splice(0));
  }

  /** Runs the deferred handlers (last registered first). */
  async close() {
    await runAll(this.#always.splice(0));
  }
}

/** @param {(() => unknown)[]} fns */
async function runAll(fns) {
  for (const fn of fns.reverse()) {
    try {
      await fn();
    } catch {
      // Cleaning up after a failure: the failure itself is what gets reported.
    }
  }
}
