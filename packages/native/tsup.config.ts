import { defineConfig } from 'tsup';

export default defineConfig({
  // The tracker runs as a process of its own: dist/tracker.js is spawned by
  // src/tracker.ts (see src/entry/tracker.ts).
  entry: { index: 'src/index.ts', tracker: 'src/entry/tracker.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: false,
  keepNames: true,
});
