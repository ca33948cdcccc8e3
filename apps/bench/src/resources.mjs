// Pools and echo workers that live across repetitions: created (and warmed up) once,
// at set-up, shared by the cases that use them (one pool serves map and apply), and
// closed when the run ends.
import { cleanUp } from './timeout.mjs';

/** @type {Map<string, { value: Promise<unknown>, close: (value: any) => unknown }>} */
const open = new Map();

/**
 * The resource under `key`, created by `create` the first time.
 * @template T
 * @param {string} key
 * @param {() => Promise<T>} create
 * @param {(value: T) => unknown} close
 * @returns {Promise<T>}
 */
export function resource(key, create, close) {
  let found = open.get(key);
  if (!found) {
    const value = create();
    found = { value, close };
    open.set(key, found);
    // A failed creation is forgotten, so that the next use tries again.
    value.catch(() => open.delete(key));
  }
  return /** @type {Promise<T>} */ (found.value);
}

/**
 * Forgets (and closes) the resource under `key`: after a failed or timed-out
 * repetition its state is unknown.
 * @param {string} key
 */
export async function dropResource(key) {
  const found = open.get(key);
  open.delete(key);
  if (found) await cleanUp(key, () => found.value.then(found.close, () => {}));
}

/** Closes every resource. */
export async function closeResources() {
  const all = [...open.keys()];
  await Promise.all(all.map((key) => dropResource(key)));
}
