/** Start-up: a second launch before ready, failures before and after ready (a dialog, the log, exit 1), and the single-instance lock. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtMain, repo } from '../simulated-app';
import { start, started } from './support';

export function startUp(): void {
  describe.skipIf(!existsSync(builtMain))('simulated Electron: start-up', () => {
    it('a second launch before ready waits: one window, shown once the app is ready', async () => {
      const app = start();
      try {
        await app.send({ type: 'app-event', event: 'second-instance', args: [[], repo] });
        expect((await app.snapshot()).windows).toEqual([]);
        await app.send({ type: 'ready' });
        const s = await app.waitFor('the tray', started);
        expect(s.windows).toHaveLength(1);
        expect(s.windows[0]!.focused).toBeGreaterThan(0);
        expect(s.handleCalls).toEqual(['loupe:invoke', 'loupe:dropped']);
        expect(s.violations).toEqual([]);
      } finally {
        await app.stop();
      }
    });

    it('a failure shows a dialog saying what failed and where the log is, then exits 1', async () => {
      // userData below a regular file: no store (and no log) can be created there.
      const blocker = join(mkdtempSync(join(tmpdir(), 'loupe-sim-')), 'a-file');
      writeFileSync(blocker, '');
      const app = start({ userData: join(blocker, 'userData') });
      await app.send({ type: 'ready' });
      const exit = await app.exited;
      expect(exit).toMatchObject({ requested: 1, code: 1 });
      expect(exit.last?.errorBoxes).toHaveLength(1);
      const box = exit.last!.errorBoxes[0]!;
      expect(box.title).toBe('Loupe could not start');
      expect(box.content).toContain('opening the settings and the saved sign-in');
      expect(box.content).toContain(join(blocker, 'userData', 'logs', 'main.log'));
      expect(exit.last!.windows).toEqual([]);
      expect(exit.last!.trays).toEqual([]);
      // The log could not be written there, so it went to stderr as well.
      expect(app.output()).toContain('start-up failed');
    });

    it('a failure before ready on Linux goes to stderr at once and to a dialog once Electron is ready (showErrorBox shows none before it there)', async () => {
      const app = start({ throwFrom: 'protocol.registerSchemesAsPrivileged' });
      const before = await app.waitFor('the failure on stderr', () => app.output().includes('Loupe could not start'));
      expect(before.ready).toBe(false);
      expect(before.errorBoxes).toEqual([expect.objectContaining({ shown: false })]);
      expect(app.output()).toContain('registering the app:// scheme');
      await app.send({ type: 'ready' });
      const exit = await app.exited;
      expect(exit).toMatchObject({ requested: 1, code: 1 });
      const shown = exit.last!.errorBoxes.filter((box) => box.shown);
      expect(shown).toHaveLength(1);
      expect(shown[0]!.content).toContain('registering the app:// scheme');
      expect(shown[0]!.content).toContain('simulated failure in protocol.registerSchemesAsPrivileged');
      expect(shown[0]!.content).toContain(join(app.userData, 'logs', 'main.log'));
      expect(readFileSync(join(app.userData, 'logs', 'main.log'), 'utf8')).toContain('"step":"registering the app:// scheme"');
    });

    it('a failure before ready on Windows shows its dialog at once', async () => {
      const app = start({ platform: 'win32', throwFrom: 'protocol.registerSchemesAsPrivileged' });
      const exit = await app.exited;
      expect(exit).toMatchObject({ requested: 1, code: 1 });
      expect(exit.last!.ready).toBe(false);
      expect(exit.last!.errorBoxes).toEqual([expect.objectContaining({ shown: true })]);
    });

    it('a failure after ready (the tray) is shown the same way, and the app exits', async () => {
      const app = start({ throwFrom: 'new Tray' });
      await app.send({ type: 'ready' });
      const exit = await app.exited;
      expect(exit).toMatchObject({ requested: 1, code: 1 });
      expect(exit.last!.errorBoxes[0]!.content).toContain('creating the tray icon');
    });

    it('quits at once when another instance holds the lock', async () => {
      const app = start({ singleInstanceLock: false });
      const exit = await app.exited;
      expect(exit).toMatchObject({ requested: 0, code: 0 });
    });
  });
}
