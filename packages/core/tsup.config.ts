import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/internal.ts', 'src/entry/thread.ts', 'src/entry/process.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts', 'src/internal.ts'] },
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: true,
  clean: false,
  keepNames: true,
});
