// Starting and awaiting @mp children inside a repetition: every child is killed when
// the repetition ends (a no-op once it has exited), a child that fails is reported
// instead of leaving the parent waiting, and the variant's row name is one string.
import { Process, ref, waitAsync } from '@mp/core';

/** @typedef {import('@mp/core').StartMethod} StartMethod */

/** @param {StartMethod} method */
export function mpName(method) {
  return `@mp '${method}'`;
}

/** @param {StartMethod} method @returns {'mp-thread' | 'mp-process'} */
export function mpKind(method) {
  return method === 'thread' ? 'mp-thread' : 'mp-process';
}

/**
 * The export `name` of `./targets/<file>.mjs` as a by-reference target.
 * @param {string} file
 * @param {string} name
 */
export function target(file, name) {
  return ref(new URL(`./targets/${file}.mjs`, import.meta.url), name);
}

/**
 * Creates and starts children in order. A `start()` that throws (a StartMethodError
 * for a shared object under 'process') propagates; children already started are
 * killed by the scope.
 * @param {import('./scope.mjs').Scope} scope
 * @param {StartMethod} method
 * @param {{ target: import('@mp/core').TaskRef, args: unknown[] }[]} specs
 * @returns {Process[]}
 */
export function startChildren(scope, method, specs) {
  return specs.map(({ target: fn, args }) => {
    const child = new Process({ target: fn, args, context: method });
    scope.defer(() => {
      if (child.isAlive()) child.kill();
    });
    child.start();
    return child;
  });
}

/**
 * Waits for every child to exit; throws as soon as one exits with a code other than 0
 * (its partner may be waiting for it forever).
 * @param {readonly Process[]} children
 */
export async function joinAll(children) {
  await unlessOneFails(Promise.all(children.map((child) => child.join())), children);
  for (const child of children) {
    if (child.exitCode !== 0) throw new Error(`${child.name} exited with code ${child.exitCode}`);
  }
}

/**
 * Resolves with `promise`, or rejects as soon as one of `children` exits with a code
 * other than 0 first (a crashed child would otherwise leave the parent waiting for a
 * signal that never comes).
 * @template T
 * @param {Promise<T>} promise
 * @param {readonly Process[]} children
 * @returns {Promise<T>}
 */
export function unlessOneFails(promise, children) {
  const failure = children.map(
    (child) =>
      /** @type {Promise<never>} */ (
        child.join().then(() => {
          if (child.exitCode !== 0) throw new Error(`${child.name} exited with code ${child.exitCode}`);
          return new Promise(() => {});
        })
      ),
  );
  return Promise.race([promise, ...failure]);
}

/**
 * Waits, without blocking the event loop, until `view[index] >= value`. Uses
 * @mp/core's waitAsync (not Atomics.waitAsync) so that it keeps working when the
 * gate lives in cross-process memory, where a wait is a futex.
 * @param {Int32Array} view
 * @param {number} index
 * @param {number} value
 */
export async function waitUntilAtLeast(view, index, value) {
  for (let seen = Atomics.load(view, index); seen < value; seen = Atomics.load(view, index)) {
    await waitAsync(view, index, seen);
  }
}
