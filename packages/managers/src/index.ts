/**
 * Managers — Python's `multiprocessing.managers` — a server process holding
 * dicts, lists, namespaces, queues and locks that other processes (children,
 * pool workers, other programs) use through proxies.
 *
 * @packageDocumentation
 * @module @mp/managers
 */
export { Manager } from './manager.js';
export { BaseManager, type ManagerOptions, type RegisterOptions } from './base-manager.js';
export { SyncManager } from './sync-manager.js';
export { Server, type ServerOptions } from './server.js';
export { BaseProxy } from './base-proxy.js';
export { DictProxy } from './proxies/dict.js';
export { ListProxy } from './proxies/list.js';
export { NamespaceProxy } from './proxies/namespace.js';
export { ValueProxy, ArrayProxy } from './proxies/value.js';
export { QueueProxy, JoinableQueueProxy } from './proxies/queue.js';
export { AcquirerProxy } from './proxies/acquirer.js';
export { LockProxy, RLockProxy } from './proxies/lock.js';
export { SemaphoreProxy } from './proxies/semaphore.js';
export { EventProxy } from './proxies/event.js';
export { ConditionProxy } from './proxies/condition.js';
export { BarrierProxy } from './proxies/barrier.js';
export { type AutoProxy, type Proxied } from './proxies/auto.js';
export { RemoteError, ManagerStateError } from './errors.js';
