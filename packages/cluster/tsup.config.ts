import { defineConfig } from 'tsup';

export default defineConfig({
  // The chunk runner is a module of its own in dist/: every local worker's task is its `runChunk` export.
  // The bin is the `mp-worker` command.
  entry: ['src/index.ts', 'src/entry/chunk.ts', 'src/bin/mp-worker.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts'] },
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: false,
  clean: false,
  keepNames: true,
});
