/**
 * Process lifecycle — Python's `multiprocessing.Process` — on worker threads or
 * child processes, plus the shared-memory substrate and the shared-object
 * protocol the other packages build on.
 *
 * @packageDocumentation
 * @module @mp/core
 */
export { Process, ProcessSentinel, type ProcessOptions, type RequiredArgs, type StartMethodSource } from './process.js';
export { currentProcess, parentProcess, activeChildren } from './current-process.js';
export { cpuCount } from './cpu-count.js';
export { isMain } from './is-main.js';
export { getContext, type Context } from './context.js';
export {
  type StartMethod,
  START_METHODS,
  getStartMethod,
  setStartMethod,
  getAllStartMethods,
} from './start-method.js';
export { ref, isTaskRef, type TaskRef, type Target } from './task-ref.js';
export { setSpares, getSpares } from './internal/spares.js';
export { TimeoutError, ProcessStateError, DataCloneError, StartMethodError } from './errors.js';
export {
  share,
  defineShared,
  isShareable,
  type Shareable,
  type SharedState,
  type ShareContext,
} from './shareable.js';
export {
  SharedRegion,
  allocateShared,
  regionAt,
  freeShared,
  isolateToken,
  isIsolateAlive,
  type AllocateOptions,
  waitSync,
  waitAsync,
  notify,
  type WaitResult,
} from './shared-memory.js';
