#!/usr/bin/env node
// The `mp-worker` command: serves an @mp/cluster queue on this machine until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import type { StartMethod } from '@mp/core';
import { showConnection } from '../internal/connection.js';
import { startWorker } from '../worker.js';

const USAGE = `Usage: mp-worker [--connection redis://host:6379] [--queue mp] [--concurrency N] [--start-method thread|process]
                 [--root DIR] [--prefix bull] [--lock-duration MS] [--stalled-interval MS] [--max-stalled-count N]`;

function integer(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`mp-worker: expected ${flag} to be a positive integer, got '${text}'\n${USAGE}`);
    process.exit(2);
  }
  return value;
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      connection: { type: 'string' },
      queue: { type: 'string' },
      prefix: { type: 'string' },
      concurrency: { type: 'string' },
      'start-method': { type: 'string' },
      root: { type: 'string' },
      'lock-duration': { type: 'string' },
      'stalled-interval': { type: 'string' },
      'max-stalled-count': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  console.error(`mp-worker: ${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const connection = values.connection ?? 'redis://127.0.0.1:6379';
try {
  const worker = await startWorker({
    connection,
    queue: values.queue,
    prefix: values.prefix,
    concurrency: integer(values.concurrency, '--concurrency'),
    startMethod: values['start-method'] as StartMethod | undefined,
    root: values.root,
    lockDuration: integer(values['lock-duration'], '--lock-duration'),
    stalledInterval: integer(values['stalled-interval'], '--stalled-interval'),
    maxStalledCount: integer(values['max-stalled-count'], '--max-stalled-count'),
  });
  console.log(`mp-worker ready: queue '${values.queue ?? 'mp'}' on ${showConnection(connection)}, root ${worker.root}, host ${worker.host}, pid ${process.pid}`);
  const stop = () => {
    worker.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`mp-worker: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  console.error(`mp-worker: ${(error as Error).message}`);
  process.exit(1);
}
