/**
 * Cross-process shared memory for Linux: POSIX segments as
 * `SharedArrayBuffer`s, futex wait/wake, a resource tracker, and the
 * parent-death signal.
 *
 * @packageDocumentation
 * @module @mp/native
 */
export { NativeNotBuiltError, NativeUnsupportedError, SegmentError } from './errors.js';
export { futexWait, futexWaitAsync, futexWake, type FutexWaitResult } from './futex.js';
export { isSupported, unsupportedReason } from './is-supported.js';
export { startTime as processStartTime } from './internal/processes.js';
export { setParentDeathSignal } from './parent-death.js';
export { createSegment, openSegment, segmentName, unlinkSegment } from './segment.js';
export { trackerSession, trackSegment, trackUser, untrackSegment } from './tracker.js';
