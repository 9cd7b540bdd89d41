/** macOS: a menu-bar app (template tray icons, a Dock icon only while the window is open) that keeps native sharp. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type SimulatedApp, builtMain, repo } from '../simulated-app';
import { start, started, tray } from './support';

export function macOS(): void {
  describe.skipIf(!existsSync(builtMain))('simulated Electron: macOS', () => {
    let app: SimulatedApp;
    afterAll(() => app?.stop());

    it('is a menu-bar app: template tray icons, no Dock icon while hidden, activate shows the window', async () => {
      app = start({ platform: 'darwin' });
      await app.send({ type: 'ready' });
      let s = await app.waitFor('the window to show', (x) => started(x) && x.windows[0]?.visible === true);
      expect(tray(s).image).toBe(join(repo, 'build/icons/tray-signed-outTemplate.png'));
      expect(s.dockVisible).toBe(true);
      await app.send({ type: 'window-close' });
      s = await app.snapshot();
      expect(s.windows[0]!.visible).toBe(false);
      expect(s.dockVisible).toBe(false);
      // A click on a macOS menu-bar icon shows its menu, and nothing else.
      await app.send({ type: 'tray-click' });
      expect((await app.snapshot()).windows[0]!.visible).toBe(false);
      await app.send({ type: 'app-event', event: 'activate', args: [false] });
      s = await app.waitFor('activate to show the window', (x) => x.windows[0]!.visible);
      expect(s.dockVisible).toBe(true);
      expect(tray(s).menu.map((i) => i.label)).toContain('Analyse images…');
      expect(s.violations).toEqual([]);
    });

    it('keeps native sharp: no hook is installed (the host is not a Mac, so what sharp then loads says nothing)', async () => {
      await app.stop();
      expect(readFileSync(join(app.userData, 'Logs', 'main.log'), 'utf8')).toContain('"imageBackend":"native"');
    });
  });
}
