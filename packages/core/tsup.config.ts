import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/internal.ts', 'src/entry/thread.ts', 'src/entry/process.ts', 'src/entry/warm-up.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts', 'src/internal.ts'] },
  target: 'node20',
  platform: 'node',
  splitting: true,
  // No source maps: they point into src/, which the tarballs do not ship, and a child that
  // registers tsx (which turns source maps on) would print stack traces into missing files.
  sourcemap: false,
  clean: false,
  keepNames: true,
});
