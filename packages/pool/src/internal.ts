/**
 * Machinery for the other `@mp` packages (`@mp/cluster`'s Pool, which has this
 * Pool's API on another transport): not part of the user-facing API, and free
 * to change between minor versions.
 *
 * @module
 */
export { settleResult } from './async-result.js';
