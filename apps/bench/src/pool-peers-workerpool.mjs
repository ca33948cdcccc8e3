// The worker script of the workerpool case of pool-peers.ts.
import workerpool from 'workerpool';
import { square, squareChunk } from './pool-peers-worker.mjs';

workerpool.worker({ square, squareChunk });
