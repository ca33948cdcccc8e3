import type { StartMethod } from '../../start-method.js';
import type { TaskRef } from '../../task-ref.js';
import type { ArenaDescriptor } from '../arena.js';
import type { Encoded } from '../codec.js';
import type { ParentInfo } from '../runtime.js';

/**
 * The two halves of a start method. The host half (in the parent) spawns a
 * child and watches it; the child half (in the child's entry file) receives the
 * {@link BootData} and a {@link Channel} to the parent. `'thread'` and
 * `'process'` are two implementations of these interfaces; nothing else in
 * `@mp/core` knows which one it is talking to.
 */

/** A message channel between a parent and one child, in both directions. */
export interface Channel {
  /**
   * Sends a structured-clonable message. `transfer`: buffers to move rather than copy, where the
   * transport can (`'thread'`: `postMessage`'s transfer list, the sender's buffers are detached);
   * a transport that cannot (`'process'`) copies them and leaves the sender's intact.
   */
  post(message: unknown, transfer?: readonly ArrayBuffer[]): void;
  /** Listens for messages; the returned function stops listening. While listening, the channel keeps the event loop alive. */
  on(listener: (message: unknown) => void): () => void;
}

/** Everything a child needs to become the process its parent described. */
export interface BootData {
  readonly identity: readonly number[];
  readonly name: string;
  readonly daemon: boolean;
  readonly parent: ParentInfo;
  readonly startMethod: StartMethod | undefined;
  /** The function to call, unless a `Process` subclass overrides `run()`. */
  readonly target: TaskRef | undefined;
  /** The exported `Process` subclass to instantiate, if any. */
  readonly subclass: TaskRef | undefined;
  /** The subclass instance's own fields. */
  readonly fields: Encoded;
  readonly args: Encoded;
  /** How to reach the parent's shared-memory arena; `undefined` when the child cannot. */
  readonly arena: ArenaDescriptor | undefined;
  /** The child's isolate token in that arena. */
  readonly token: number | undefined;
  /** The child's `authkey` (Python copies it into the child). */
  readonly authkey?: Uint8Array;
}

/** The host's view of a running child. */
export interface ChildHandle {
  readonly pid: number;
  readonly ident: number;
  readonly channel: Channel;
  /** Resolves with the exit code (negative signal number when killed), once the child's output is flushed. */
  readonly exited: Promise<number>;
  /** SIGTERM, or the thread equivalent; reported as exit code -15. */
  terminate(): void;
  /** SIGKILL, or the thread equivalent; reported as exit code -9. */
  kill(): void;
  /** Whether the child keeps this program's event loop alive (daemons do not). */
  setRef(keepsAlive: boolean): void;
  /**
   * What ended the child abnormally, when the start method knows it: the
   * Worker's `'error'` (e.g. `ERR_WORKER_OUT_OF_MEMORY`) for `'thread'`.
   */
  failure(): unknown;
}

/** Extra options some users of the host need (pool workers). */
export interface SpawnOptions {
  /** V8 heap limits for thread children (`Worker` `resourceLimits`). */
  readonly resourceLimits?: { readonly maxOldGenerationSizeMb?: number; readonly maxYoungGenerationSizeMb?: number };
  /** Node.js flags for process children. @defaultValue the parent's `execArgv` without tsx's loader */
  readonly execArgv?: readonly string[];
}

/** The host half of a start method. */
export interface StartMethodHost {
  readonly name: StartMethod;
  /** Whether its children are other OS processes (shared memory must then cross processes). */
  readonly crossProcess: boolean;
  spawn(boot: BootData, options?: SpawnOptions): ChildHandle;
}

/** What the child half hands to the child runtime. */
export interface ChildLink {
  readonly boot: BootData;
  readonly channel: Channel;
  readonly method: StartMethod;
}

/** Exit code reported after `terminate()` (-SIGTERM) and `kill()` (-SIGKILL). */
export const EXIT_TERMINATED = -15;
export const EXIT_KILLED = -9;

/**
 * The environment variable through which a `'process'` child learns its
 * parent's pid before its boot data arrives (a spare waits for it long after
 * it started, and must die if its parent did). The child removes it.
 */
export const PARENT_PID_ENV = 'MP_PARENT_PID';
