import { defineConfig } from 'tsup';

export default defineConfig({
  // The manager process's entry is its own file: a child imports it (not the whole package
  // surface) and calls its one export; both share the chunks, so types are defined once.
  entry: ['src/index.ts', 'src/entry/server-main.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts'] },
  target: 'node20',
  platform: 'node',
  splitting: true,
  // No source maps: they point into src/, which the tarballs do not ship, and a child that
  // registers tsx (which turns source maps on) would print stack traces into missing files.
  sourcemap: false,
  clean: true,
  keepNames: true,
});
