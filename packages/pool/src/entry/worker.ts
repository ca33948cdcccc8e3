// The module every pool worker's target comes from. Host side: internal/worker-slot.ts.
export { poolWorker } from '../internal/worker-loop.js';
