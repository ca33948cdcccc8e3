import { defineConfig } from 'tsup';

export default defineConfig({
  // The worker entry is a module of its own in dist/: every worker's target is its `poolWorker` export.
  entry: ['src/index.ts', 'src/entry/worker.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts'] },
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: true,
  clean: false,
  keepNames: true,
});
