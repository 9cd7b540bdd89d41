/**
 * One config for everything Vite builds and Vitest runs:
 *   client  → dist/renderer   (React renderer, served on app://loupe/)
 *   main    → dist/main       (Electron main process, ESM, dependencies external)
 *   preload → dist/preload    (one CommonJS file: sandboxed preloads cannot load modules)
 * `vite build` builds all three (the `builder` option turns on app builds).
 */
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { ISOLATED_TESTS } from './test/isolated-tests';

const root = fileURLToPath(new URL('.', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { dependencies?: Record<string, string> };
const dependencies = Object.keys(pkg.dependencies ?? {});
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const isExternalForMain = (id: string) =>
  id === 'electron' || nodeBuiltins.includes(id) || dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`));

export default defineConfig({
  root: `${root}renderer`,
  base: './',
  plugins: [react()],
  builder: {},
  build: {
    emptyOutDir: true,
  },
  environments: {
    client: {
      build: {
        outDir: `${root}dist/renderer`,
        target: 'chrome130',
        sourcemap: true,
      },
    },
    main: {
      consumer: 'server',
      build: {
        outDir: `${root}dist/main`,
        target: 'node20',
        ssr: true,
        sourcemap: true,
        rolldownOptions: {
          input: { main: `${root}electron/main.ts` },
          external: isExternalForMain,
          output: { format: 'es', entryFileNames: '[name].js' },
        },
      },
    },
    preload: {
      consumer: 'server',
      resolve: { noExternal: true },
      build: {
        outDir: `${root}dist/preload`,
        target: 'node20',
        ssr: true,
        sourcemap: true,
        rolldownOptions: {
          input: { preload: `${root}electron/preload.ts` },
          external: ['electron'],
          // The preload uses only constants and types from the contract; keep zod out of it.
          treeshake: { moduleSideEffects: false },
          output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
        },
      },
    },
  },
  test: {
    root,
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two kinds of test: `unit` is pure and runs in seconds; `integration` starts
    // stand-in servers, sharp or child processes. `vitest run --project unit` runs one.
    projects: [
      {
        extends: true,
        // Pure tests share one worker and its module cache: no servers, no mocks, nothing to isolate.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], pool: 'threads', isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/servers/**/*.test.ts'],
          exclude: ISOLATED_TESTS,
          // These mostly wait on loopback servers, latency and backoff, not on the CPU: four at a time on two cores.
          maxWorkers: 4,
          // Each file starts its own servers and cleans up after itself, so files share a worker's module cache
          // instead of importing sharp, the SDKs and the core again per file (about half the run's time).
          isolate: false,
        },
      },
      {
        extends: true,
        // The few that mock modules or fake the clock of the whole process get a fresh module graph each.
        test: { name: 'integration:isolated', include: ISOLATED_TESTS, maxWorkers: 4 },
      },
    ],
  },
});
