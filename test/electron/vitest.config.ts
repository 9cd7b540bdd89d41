/**
 * The Electron-shaped suites (simulated run of the built main, packaged
 * layout): slow child processes, so one file at a time and long timeouts.
 * `npm run test:electron` runs them; `npm test` does after the build.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/electron/**/*.test.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
