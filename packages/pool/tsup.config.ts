import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: false,
  keepNames: true,
});
