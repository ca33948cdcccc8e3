/**
 * Machinery for the other `@mp` packages (pool workers, queues): not part of
 * the user-facing API, and free to change between minor versions.
 *
 * @module
 */
import { handleOf } from './process.js';
import type { Process } from './process.js';
import { runtime } from './internal/runtime.js';
import type { Channel, ChildHandle } from './internal/start-methods/types.js';

export { encode, decode, decodeSync, discard, type Encoded, type SharedTable } from './internal/codec.js';
export { describe } from './internal/describe.js';
export { defineRelease, sweep, type ReleaseRoutine } from './internal/lifetimes.js';
export { assertCanShare as checkShareable, canShare } from './shared-memory.js';
export { arenaUsage } from './internal/arena.js';
export { checkOptions } from './internal/options.js';
export { keepAlive } from './internal/keep-alive.js';
export { Mutex, OWNER_CHECK_MS, SPIN_LIMIT, type MutexOptions, type MutexWait } from './internal/mutex.js';
export { loadFunction, loadExport } from './internal/load-target.js';
export { assertNotBootstrapping, whileBootstrapping } from './internal/bootstrapping.js';
export { checkTarget, toTaskRef } from './task-ref.js';
export { setSpawnOptions } from './process.js';
export { isChild } from './internal/runtime.js';
export { whenSparesReady } from './internal/spares.js';
export { preloadInSpares } from './internal/preload.js';
export type { Channel, SpawnOptions } from './internal/start-methods/types.js';
export { EXIT_KILLED, EXIT_TERMINATED } from './internal/start-methods/types.js';

/**
 * The host side of a started child: its message channel and its exit.
 *
 * @throws Error when the process was not started
 */
export function childOf(process: Process): Pick<ChildHandle, 'channel' | 'exited' | 'failure'> {
  const handle = handleOf(process);
  if (!handle) throw new Error(`${process.name} has not been started`);
  return handle;
}

/** In a child: the channel to its parent (`undefined` in the main program). */
export function parentChannel(): Channel | undefined {
  return runtime().slots.get('parent-channel') as Channel | undefined;
}
