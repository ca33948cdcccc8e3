import { randomUUID } from 'node:crypto';

/** What a pool id looks like: it is read back from job data, so workers check it before using it in a key. */
export const POOL_ID = /^mp[0-9a-f]{32}$/;

/** A new pool id: no `:` (BullMQ refuses it in job ids), never an integer. */
export function newPoolId(): string {
  return `mp${randomUUID().replaceAll('-', '')}`;
}

/** The Redis keys of one pool, under the queue's BullMQ prefix. */
export interface PoolKeys {
  /** Exists while the pool lives (a heartbeat renews its expiry): workers run and answer only tasks of live pools. */
  readonly alive: string;
  /** The list that workers push results onto and the pool pops them from. */
  readonly results: string;
}

export function poolKeys(prefix: string, queue: string, pool: string): PoolKeys {
  const base = `${prefix}:${queue}:mp:${pool}`;
  return { alive: base, results: `${base}:results` };
}

/** The expiry of a pool's keys: a pool that dies without terminate() leaves nothing behind for longer. */
export const POOL_TTL_MS = 30_000;
/** How often a live pool renews it. */
export const HEARTBEAT_MS = 5_000;
/** The BullMQ job name of every task. */
export const JOB_NAME = 'mp-task';
