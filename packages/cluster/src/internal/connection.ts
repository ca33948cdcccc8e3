import { Redis, type RedisOptions } from 'ioredis';
import { describe } from '@mp/core/internal';
import { ClusterConnectionError } from '../errors.js';

/** Where Redis is: a `redis://` URL or ioredis options. */
export type ConnectionOption = string | RedisOptions;

/** How a connection option reads in messages (without a password). */
export function showConnection(connection: ConnectionOption): string {
  if (typeof connection === 'string') {
    try {
      const url = new URL(connection);
      url.password = url.password ? '***' : '';
      return url.href;
    } catch {
      return connection;
    }
  }
  return `redis://${connection.host ?? '127.0.0.1'}:${connection.port ?? 6379}`;
}

/**
 * Opens a connection that waits out later outages (commands queue while Redis
 * restarts: `maxRetriesPerRequest: null`, as BullMQ requires).
 */
export function connect(connection: ConnectionOption, name: string): Redis {
  if (typeof connection !== 'string' && (typeof connection !== 'object' || connection === null)) {
    throw new TypeError(`Expected \`connection\` to be a redis:// URL or ioredis options, got ${describe(connection)}`);
  }
  const options: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true, connectionName: name, lazyConnect: false };
  if (typeof connection === 'string') {
    if (!/^rediss?:\/\//.test(connection)) {
      throw new TypeError(`Expected \`connection\` to be a redis:// or rediss:// URL, got ${describe(connection)}`);
    }
    return new Redis(connection, options);
  }
  return new Redis({ ...connection, ...options });
}

/**
 * Resolves once `redis` is ready; rejects with a {@link ClusterConnectionError}
 * at its first connection error, or after `timeoutMs` — a wrong address is an
 * error in seconds, not a hang.
 */
export function whenReady(redis: Redis, connection: ConnectionOption, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const where = showConnection(connection);
    const fail = (reason: string, cause?: unknown) => {
      cleanup();
      reject(
        new ClusterConnectionError(
          `Cannot reach Redis at ${where}: ${reason}. Expected a running redis-server there: start one (redis-server --port 6379), ` +
            'or pass the right `connection`.',
          cause === undefined ? undefined : { cause },
        ),
      );
    };
    const onReady = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => fail((error as NodeJS.ErrnoException).code ?? error.message, error);
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
    };
    redis.on('ready', onReady);
    redis.on('error', onError);
  });
}
