import { defineConfig } from '@playwright/test';

/**
 * Two projects: the renderer in Chromium through the browser harness, and the
 * packaged-shape Electron app (skipped, with the reason printed, where no
 * Electron binary exists). Browsers are never downloaded: see chromium.ts.
 */
export default defineConfig({
  testDir: '.',
  outputDir: '../../test-results/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  use: { trace: 'retain-on-failure' },
  projects: [
    { name: 'harness', testMatch: /harness.*\.spec\.ts$/ },
    { name: 'electron', testMatch: /electron.*\.spec\.ts$/ },
  ],
});
