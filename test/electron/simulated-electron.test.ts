/**
 * The built main process (dist/main/main.js), run in Node against a double
 * of the `electron` module that enforces what may be called before and after
 * `ready`. Each scenario is one child process; the test fires Electron's
 * events and checks what the app did. Ends by printing line coverage of
 * electron/main.ts and electron/shell/**.
 *
 * The scenarios live in simulated/, one per shell concern (the Linux run from
 * start to quit, start-up and its failures, macOS, Windows, a packaged build,
 * what a real Electron exposes: updates, quitting, keychain, data folders);
 * this file runs them in order, then reads the coverage they all wrote.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatCoverage, shellLineCoverage } from './coverage';
import { builtMain, repo } from './simulated-app';
import { linuxRun } from './simulated/linux-run';
import { macOS } from './simulated/macos';
import { packagedLinux } from './simulated/packaged-linux';
import { releaseDefects } from './simulated/release-defects';
import { startUp } from './simulated/start-up';
import { coverageDir } from './simulated/support';
import { windows } from './simulated/windows';

if (!existsSync(builtMain)) console.log(`[simulated Electron] skipped: ${builtMain} is missing; run "npm run build" first (npm test does).`);

// One file, so that every scenario's coverage is in by the time the last describe reads it.
linuxRun();
startUp();
macOS();
windows();
packagedLinux();
releaseDefects();

describe.skipIf(!existsSync(builtMain))('simulated Electron: coverage', () => {
  it('prints line coverage of electron/main.ts and electron/shell/**', async () => {
    const { text, percent } = formatCoverage(await shellLineCoverage(coverageDir, repo));
    console.log(text);
    expect(percent, 'the goal for the shell is 90 % of lines').toBeGreaterThanOrEqual(90);
  });
});

if (!existsSync(builtMain)) console.log(`[simulated Electron] skipped: ${builtMain} is missing; run "npm run build" first (npm test does).`);
