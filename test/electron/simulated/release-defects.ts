/**
 * What a real Electron would expose and the earlier double did not: "Restart to update" (macOS closes the
 * windows before `before-quit`), quitting closes every window, a keychain that never answers, a keyring
 * backend whose key is the hard-coded one, development and installed copies side by side, links opened
 * with the normalised URL, electron-store's own IPC listener, and crashes reaching the log.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEV_DATA_FOLDER } from '../../../electron/shell/data-folders';
import type { SmokeReport } from '../../../electron/shell/smoke';
import type { Snapshot } from '../double/protocol';
import { type SimulatedApp, builtMain } from '../simulated-app';
import { start, started, tray } from './support';

const packagedResources = () => {
  const resources = mkdtempSync(join(tmpdir(), 'loupe-sim-resources-'));
  mkdirSync(join(resources, 'icons'));
  return resources;
};

const logOf = (dir: string) => {
  const file = join(dir, 'logs', 'main.log');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
};

/** Hands the app an update, clicks "Restart to update", and returns how the app ended (or that it did not). */
async function restartToUpdate(app: SimulatedApp): Promise<{ exited: boolean; last: Snapshot | null }> {
  await app.send({ type: 'ready' });
  await app.waitFor('the tray', started);
  await app.send({ type: 'update-downloaded', version: '0.2.0' });
  const label = 'Restart to update (0.2.0)';
  await app.waitFor('Restart to update in the tray', (s) => tray(s).menu.some((i) => i.label === label));
  await app.send({ type: 'menu-click', label });
  // Either the app exits, or the update handover stopped because the window refused to close.
  const stopped = app
    .waitFor('the update handover to stop', (s) => s.calls.some((c) => c.api.startsWith('autoUpdater.quitAndInstall stopped')), 20_000)
    .then((last) => ({ exited: false, last }));
  return Promise.race([app.exited.then((exit) => ({ exited: exit.code === 0 && exit.requested === 0, last: exit.last })), stopped]);
}

export function releaseDefects(): void {
  describe.skipIf(!existsSync(builtMain))('simulated Electron: what a real Electron exposes', () => {
    it('macOS "Restart to update": windows close before before-quit (Squirrel.Mac), and the app quits into the update', async () => {
      const resources = packagedResources();
      const app = start({ platform: 'darwin', packaged: true, resourcesPath: resources, updater: 'double' });
      try {
        const { exited, last } = await restartToUpdate(app);
        expect(exited, app.output()).toBe(true);
        const apis = last!.calls.map((c) => c.api);
        expect(apis).toContain('updater.quitAndInstall');
        expect(apis.indexOf('autoUpdater.quitAndInstall')).toBeLessThan(apis.lastIndexOf('app.quit'));
        expect(last!.windows.every((w) => w.destroyed)).toBe(true);
      } finally {
        await app.stop();
      }
    });

    it('Windows "Restart to update": electron-updater emits before-quit-for-update, then quits; every window closes', async () => {
      const app = start({ platform: 'win32', packaged: true, resourcesPath: packagedResources(), updater: 'double' });
      try {
        const { exited, last } = await restartToUpdate(app);
        expect(exited, app.output()).toBe(true);
        expect(last!.windows.every((w) => w.destroyed)).toBe(true);
      } finally {
        await app.stop();
      }
    });

    it('Quit closes the window (it is not just hidden) before the app exits', async () => {
      const app = start({ platform: 'darwin' });
      await app.send({ type: 'ready' });
      await app.waitFor('the window', (s) => started(s) && s.windows[0]?.visible === true);
      await app.send({ type: 'menu-click', label: 'Quit Loupe' });
      const exit = await app.exited;
      expect(exit).toMatchObject({ requested: 0, code: 0 });
      expect(exit.last!.windows.map((w) => w.destroyed)).toEqual([true]);
    });

    it('a keychain that never answers: start-up goes on, the vault stays in memory with "not answering" and Retry', async () => {
      const app = start({ keychain: 'silent', env: { LOUPE_KEYCHAIN_WAIT_MS: '200' } });
      try {
        await app.send({ type: 'ready' });
        await app.waitFor('the tray', started);
        const state = await app.state();
        expect(state.account.storage).toBe('memory');
        const notice = state.notices.find((n) => n.id === 'vault-keychain-unavailable');
        expect(notice?.message).toMatch(/not answering/);
        expect(notice?.actions?.map((a) => a.label)).toEqual(['Retry', 'Reset']);
      } finally {
        await app.stop();
      }
    });

    it('Linux: a backend that names the keyring but encrypts with the hard-coded key (v10) is treated as weak storage', async () => {
      const app = start({ storageBackend: 'gnome_libsecret', keyTag: 'v10' });
      try {
        await app.send({ type: 'ready' });
        await app.waitFor('the tray', started);
        const state = await app.state();
        expect(state.account.storage).toBe('memory');
        expect(state.notices.find((n) => n.id === 'vault-memory-only')?.message).toContain('basic_text');
      } finally {
        await app.stop();
      }
    });

    it('development and installed copies keep their own data folder and single-instance lock; two installed copies share one', async () => {
      const appData = mkdtempSync(join(tmpdir(), 'loupe-sim-appdata-'));
      const dev = start({ appData });
      const installed = start({ appData, packaged: true, resourcesPath: packagedResources() });
      let second: SimulatedApp | undefined;
      try {
        await dev.send({ type: 'ready' });
        await installed.send({ type: 'ready' });
        const devStarted = await dev.waitFor('the development copy', started);
        await installed.waitFor('the installed copy', started);
        const lock = (s: Snapshot) => s.calls.find((c) => c.api === 'app.requestSingleInstanceLock')?.args[0];
        expect(lock(devStarted)).toBe(join(appData, DEV_DATA_FOLDER));
        expect(lock(await installed.snapshot())).toBe(join(appData, 'Loupe'));
        expect(devStarted.violations).toEqual([]);
        expect(logOf(join(appData, DEV_DATA_FOLDER))).toContain('"packaged":false');
        expect(logOf(join(appData, 'Loupe'))).toContain('"packaged":true');
        // A second installed copy finds the first one's lock and hands over to it.
        second = start({ appData, packaged: true, resourcesPath: packagedResources() });
        expect(await second.exited).toMatchObject({ requested: 0, code: 0 });
      } finally {
        await Promise.all([dev.stop(), installed.stop(), second?.stop()]);
      }
    });

    it('links open in the browser with the normalised URL the allowlist judged; anything else opens nowhere', async () => {
      const app = start();
      try {
        await app.send({ type: 'ready' });
        await app.waitFor('the tray', started);
        expect(await app.send({ type: 'window-open', url: 'https://HELP.openai.com/en/../articles/1?q=a' })).toBe('deny');
        expect(await app.send({ type: 'window-open', url: 'https://evil.example/' })).toBe('deny');
        expect((await app.snapshot()).opened).toEqual(['https://help.openai.com/articles/1?q=a']);
      } finally {
        await app.stop();
      }
    });

    it("electron-store's own IPC listener (data folder and version for any page) is not left registered", async () => {
      const app = start();
      try {
        await app.send({ type: 'ready' });
        const s = await app.waitFor('the tray', started);
        // electron-store 12's channel (electron/shell/electron-store.ts; that module imports `electron`, so not from here).
        expect(s.ipcListeners).not.toContain('electron-store-get-data');
      } finally {
        await app.stop();
      }
    });

    it('the smoke mode (development build): report written beside its own data folder, no window or tray, exit 0', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'loupe-sim-smoke-'));
      // A stand-in executable carrying Electron's fuse wire as shipped (RunAsNode on, cookie encryption off, …).
      const executable = join(dir, 'electron');
      writeFileSync(executable, `stand-in\n${'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'}\x01\x0810110000`, 'latin1');
      const report = join(dir, 'report.json');
      const app = start({ execPath: executable, env: { LOUPE_SMOKE_REPORT: report } });
      await app.send({ type: 'ready' });
      const exit = await app.exited;
      expect(exit, app.output()).toMatchObject({ requested: 0, code: 0 });
      const written = JSON.parse(readFileSync(report, 'utf8')) as SmokeReport;
      expect(written).toMatchObject({ ok: true, failures: [], app: { packaged: false }, sharp: { loaded: 'wasm' } });
      expect(written.fuses.wire).toMatchObject({ RunAsNode: 'enabled', EnableCookieEncryption: 'disabled' });
      expect(existsSync(join(`${report}.data`, 'logs', 'main.log'))).toBe(true);
      expect(exit.last!.windows).toEqual([]);
      expect(exit.last!.trays).toEqual([]);
      expect(exit.last!.calls.some((c) => c.api === 'app.requestSingleInstanceLock')).toBe(false);
    });

    it('crashes reach the log: a gone renderer or child process, an unhandled rejection; an uncaught exception also ends the app visibly', async () => {
      const app = start({ platform: 'win32' });
      await app.send({ type: 'ready' });
      await app.waitFor('the tray', started);
      await app.send({ type: 'render-process-gone', reason: 'crashed', exitCode: 139 });
      await app.send({ type: 'child-process-gone', processType: 'GPU', reason: 'oom', exitCode: 9 });
      await app.send({ type: 'reject-unhandled', message: 'a promise nobody awaited' });
      await app.waitFor('the rejection in the log', () => logOf(app.userData).includes('a promise nobody awaited'));
      await app.send({ type: 'throw-uncaught', message: 'a throw nobody caught' });
      const exit = await app.exited;
      expect(exit).toMatchObject({ requested: 1, code: 1 });
      const log = logOf(app.userData);
      expect(log).toContain('"message":"window process gone","reason":"crashed","exitCode":139');
      expect(log).toContain('"message":"child process gone","type":"GPU","reason":"oom","exitCode":9');
      expect(log).toContain('"message":"unhandled rejection"');
      expect(log).toContain('"message":"uncaught exception"');
      expect(exit.last!.errorBoxes.at(-1)!.content).toContain('a throw nobody caught');
    });
  });
}
