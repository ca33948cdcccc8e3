import { defineConfig } from 'tsup';

export default defineConfig({
  // The tracker runs as a process of its own: dist/tracker.js is spawned by
  // src/tracker.ts (see src/entry/tracker.ts).
  entry: { index: 'src/index.ts', tracker: 'src/entry/tracker.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  target: 'node20',
  platform: 'node',
  // No source maps: they point into src/, which the tarballs do not ship, and a child that
  // registers tsx (which turns source maps on) would print stack traces into missing files.
  sourcemap: false,
  clean: false,
  keepNames: true,
});
