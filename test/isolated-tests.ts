/**
 * Integration test files that replace modules or process-wide globals
 * (vi.mock, vi.spyOn on a module, fake timers or Date, stubbed globals). The
 * integration project shares each worker's module cache between files, so
 * these run in a project of their own, each with a fresh module graph
 * (vite.config.ts). test/unit/isolated-tests.test.ts keeps this list true.
 */
export const ISOLATED_TESTS = [
  'test/integration/accounts/session.test.ts',
  'test/integration/hostile/fuzz.test.ts',
  'test/integration/hostile/internal-error.test.ts',
];

/** What makes a test file change the process for the files after it. */
export const REPLACES_GLOBALS = /\bvi\.(mock|doMock|spyOn|stubGlobal|stubEnv|useFakeTimers|setSystemTime)\b/;
