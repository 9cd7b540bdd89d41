/** A packaged Linux build: resources beside the app, no devtools or test hook, the update check, and shutdown. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtMain } from '../simulated-app';
import { start, started, tray } from './support';

export function packagedLinux(): void {
  describe.skipIf(!existsSync(builtMain))('simulated Electron: packaged Linux build', () => {
    it('checks for updates at start (GitHub feed, packaged only) and quits cleanly on system shutdown', async () => {
      const resources = mkdtempSync(join(tmpdir(), 'loupe-sim-resources-'));
      mkdirSync(join(resources, 'icons'));
      // As if started from an AppImage: electron-updater's Linux updater is active only then (or for a deb/rpm).
      const app = start({ packaged: true, resourcesPath: resources, env: { APPIMAGE: join(resources, 'Loupe.AppImage'), LOUPE_E2E: '1' } });
      try {
        await app.send({ type: 'ready' });
        const s = await app.waitFor('the tray', started);
        expect(tray(s).image).toBe(join(resources, 'icons', 'tray-signed-out.png'));
        expect(s.windows[0]!.options.webPreferences).toMatchObject({ devTools: false });
        expect(await app.send({ type: 'e2e-hook' })).toBe(false);
        // No app-update.yml beside the placeholder resources: the check runs and fails, and says so in the log.
        const logFile = join(app.userData, 'logs', 'main.log');
        for (let i = 0; i < 400 && !(existsSync(logFile) && readFileSync(logFile, 'utf8').includes('update check failed')); i++)
          await new Promise((r) => setTimeout(r, 25));
        expect(readFileSync(logFile, 'utf8')).toContain('update check failed');
        await app.send({ type: 'power-event', event: 'shutdown' });
        expect(await app.exited).toMatchObject({ requested: 0, code: 0 });
      } finally {
        await app.stop();
        rmSync(resources, { recursive: true, force: true });
      }
    });
  });
}
