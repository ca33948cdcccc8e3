import type { StartMethod } from '../../start-method.js';
import { processHost } from './process-host.js';
import { threadHost } from './thread-host.js';
import type { StartMethodHost } from './types.js';

const HOSTS: Record<StartMethod, StartMethodHost> = { thread: threadHost, process: processHost };

/** The host half of a start method. */
export function hostFor(method: StartMethod): StartMethodHost {
  return HOSTS[method];
}
