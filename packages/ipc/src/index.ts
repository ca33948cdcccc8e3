/**
 * Message passing — Python's `Queue`, `SimpleQueue`, `JoinableQueue` and
 * `Pipe` — over shared memory, between the main program and its children.
 *
 * @packageDocumentation
 * @module @mp/ipc
 */
export { Queue } from './queue.js';
export { SimpleQueue } from './simple-queue.js';
export { JoinableQueue } from './joinable-queue.js';
export { Pipe } from './pipe.js';
export { Connection } from './connection.js';
export {
  EmptyError,
  FullError,
  EOFError,
  ClosedError,
  DirectionError,
  BrokenPipeError,
  BadMessageLengthError,
  TaskDoneError,
} from './errors.js';
export { wait, waitSync, type Waitable } from './wait.js';
export { Listener, type ListenerOptions, type Address, type Family } from './listener.js';
export { Client, type ClientOptions } from './client.js';
export { SocketConnection } from './socket-connection.js';
export { AuthenticationError, MessageTooLongError, BadMessageError } from './socket-errors.js';
