import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      // Records /dev/shm before the suite and fails the run if it leaves segments behind.
      globalSetup: ['test/global-setup.ts'],
    },
  }),
);
