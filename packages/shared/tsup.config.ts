import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  target: 'node20',
  platform: 'node',
  // No source maps: they point into src/, which the tarballs do not ship, and a child that
  // registers tsx (which turns source maps on) would print stack traces into missing files.
  sourcemap: false,
  clean: false,
  keepNames: true,
});
