/**
 * Typed values and arrays in shared memory — Python's `Value`, `Array`,
 * `RawValue` and `RawArray` — with locks and atomic helpers; and named shared
 * memory — Python's `multiprocessing.shared_memory`: `SharedMemory` and `ShareableList`.
 *
 * @packageDocumentation
 * @module @mp/shared
 */
export { Value } from './value.js';
export { SharedArray } from './shared-array.js';
export { RawValue } from './raw-value.js';
export { RawArray } from './raw-array.js';
export type { SynchronizedOptions } from './options.js';
export {
  TYPECODES,
  type Typecode,
  type ShortTypecode,
  type CtypesName,
  type BigIntTypecode,
  type FloatTypecode,
  type IntegerTypecode,
  type ValueOf,
  type InputOf,
  type TypedArrayOf,
  type TypedArrayByTypecode,
  type TypedArrayName,
  type TypecodeInfo,
} from './typecode.js';
export { SharedMemory, type SharedMemoryOptions } from './shared-memory.js';
export { ShareableList, type ShareableItem, type ShareableListOptions } from './shareable-list.js';
export {
  TypecodeError,
  IndexError,
  NoLockError,
  FileExistsError,
  FileNotFoundError,
  SharedMemoryClosedError,
  SharedMemoryUnsupportedError,
  SlotOverflowError,
  NotInListError,
} from './errors.js';
