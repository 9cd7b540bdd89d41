/**
 * Linux, from start to quit, in one app: what happens before and after ready,
 * the window's hardening, app://, IPC and the drop channel, main-process
 * dialogs, the tray and its menu, sign-in through the system browser, Quit.
 * The tests run in order against the same app; each picks up where the last left it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trayModel } from '../../../electron/core/tray/tray-model';
import { mainWindowOptions } from '../../../electron/shell/window-options';
import { completeAuthorizationInBrowser } from '../../servers/auth/auth-server';
import { type StandIns, startStandIns } from '../../servers/stack';
import type { Snapshot } from '../double/protocol';
import { type SimulatedApp, builtMain, repo } from '../simulated-app';
import { expectedMenu, photo, start, started, stripUndefined, tray } from './support';

export function linuxRun(): void {
  describe.skipIf(!existsSync(builtMain))('simulated Electron: Linux, from start to quit', () => {
    let stack: StandIns;
    let app: SimulatedApp;
    let beforeReady: Snapshot;
    let ready: Snapshot;

    beforeAll(async () => {
      stack = await startStandIns();
      app = start({ env: { LOUPE_CHATGPT_ISSUER: stack.endpoints.issuer, LOUPE_OPENAI_API_BASE: stack.endpoints.apiBase, LOUPE_E2E: '1' } });
      beforeReady = await app.snapshot();
      await app.send({ type: 'ready' });
      ready = await app.waitFor('the tray', started);
    });
    afterAll(async () => {
      await app?.stop();
      await stack?.close();
    });

    it('registers app:// as privileged before ready, and nothing else happens before it', () => {
      expect(beforeReady.privilegedSchemes).toEqual([
        { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
      ]);
      expect(beforeReady.windows).toEqual([]);
      expect(beforeReady.handlers).toEqual([]);
      expect(ready.calls.find((c) => c.api === 'app.setAppUserModelId')).toBeUndefined();
    });

    it('opens one window with the hardened web preferences on app://loupe', () => {
      expect(ready.windows).toHaveLength(1);
      const win = ready.windows[0]!;
      expect(win.url).toBe('app://loupe/index.html');
      expect(win.options.webPreferences).toEqual(
        stripUndefined(mainWindowOptions({ preloadPath: join(repo, 'dist/preload/preload.cjs'), dev: true }).webPreferences),
      );
      expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
      expect(win.openHandler).toBe('deny');
    });

    it('registers the IPC handlers once each (commands, and the preload drop channel), before the window exists', () => {
      expect(ready.handleCalls).toEqual(['loupe:invoke', 'loupe:dropped']);
      const order = ready.calls.map((c) => c.api);
      expect(order.indexOf('new BrowserWindow')).toBeGreaterThan(-1);
      // ipcMain.handle is not in `calls`, but the window must not precede the core (which the handler needs):
      expect(order.indexOf('session.fromPartition')).toBeLessThan(order.indexOf('new BrowserWindow'));
    });

    it('calls no Electron API on the wrong side of ready', async () => {
      expect((await app.snapshot()).violations).toEqual([]);
    });

    it('serves the renderer on app:// with the CSP', async () => {
      const index = await app.send<{ status: number; csp: string; type: string }>({ type: 'app-request', url: 'app://loupe/index.html' });
      expect(index.status).toBe(200);
      expect(index.type).toContain('text/html');
      expect(index.csp).toContain("connect-src 'none'");
      expect((await app.send<{ status: number }>({ type: 'app-request', url: 'app://loupe/../../package.json' })).status).toBe(404);
    });

    it('prepares photos with the WebAssembly build of sharp (Linux under Electron)', async () => {
      const { versions, bindings } = await app.send<{ versions: Record<string, string>; bindings: string[] }>({ type: 'sharp' });
      expect(versions).toHaveProperty('emscripten');
      expect(bindings.some((b) => b.includes('@img/sharp-wasm32'))).toBe(true);
      expect(bindings.some((b) => /@img\/sharp-(libvips-)?linux/.test(b))).toBe(false);
    });

    it('shows a tray whose menu is trayModel(state)', async () => {
      const state = await app.state();
      const s = await app.snapshot();
      expect(tray(s).menu).toEqual(expectedMenu(trayModel(state, Date.now()).menu));
      expect(tray(s).image).toBe(join(repo, 'build/icons/tray-signed-out.png'));
      expect(tray(s).tooltip).toBe('Loupe — not signed in');
    });

    it('refuses IPC from anything but the app window', async () => {
      const result = await app.send<{ ok: boolean; error?: { code: string } }>({
        type: 'invoke',
        channel: 'loupe:invoke',
        args: ['app.getState', {}],
        frameUrl: 'https://evil.example/',
      });
      expect(result).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    });

    it('stages a drop only from the app window, on the drop channel; no command stages a path', async () => {
      type Answer = { ok: boolean; error?: { code: string } };
      const drop = (extra: { senderId?: number; frameUrl?: string; subframe?: boolean } = {}) =>
        app.send<Answer>({ type: 'invoke', channel: 'loupe:dropped', args: [{ paths: [photo] }], ...extra });
      // Another page, a frame inside the window, another webContents: refused, nothing staged.
      expect(await drop({ frameUrl: 'https://evil.example/' })).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
      expect(await drop({ subframe: true })).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
      expect(await drop({ senderId: 9999 })).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
      // The window naming a path through invoke(): not a command.
      const named = await app.send<Answer>({ type: 'invoke', channel: 'loupe:invoke', args: ['analysis.stage', { paths: [photo] }] });
      expect(named).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
      expect((await app.state()).analysis.staged).toEqual([]);
      // The preload's drop from the app window is staged.
      expect(await drop()).toMatchObject({ ok: true });
      // Staging is published a moment later (state changes are batched).
      const staged = async (length: number) => {
        for (let i = 0; i < 200 && (await app.state()).analysis.staged.length !== length; i++) await new Promise((r) => setTimeout(r, 25));
        return (await app.state()).analysis.staged.map((x) => x.path);
      };
      expect(await staged(1)).toEqual([photo]);
      expect(await app.send<Answer>({ type: 'invoke', channel: 'loupe:invoke', args: ['analysis.clearStaged', {}] })).toMatchObject({ ok: true });
      expect(await staged(0)).toEqual([]);
    });

    it('asks in a main-process dialog before an API key goes to another server; Cancel (the default) sends nothing', async () => {
      const invoke = () =>
        app.send<{ ok: boolean; error?: { code: string } }>({
          type: 'invoke',
          channel: 'loupe:invoke',
          args: ['accounts.addApiKey', { baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-elsewhere-0000' }],
        });
      const fetchesBefore = (await app.snapshot()).fetches.length;
      expect(await invoke()).toMatchObject({ ok: false, error: { code: 'not_confirmed' } });
      const s = await app.snapshot();
      const box = s.messageBoxes.at(-1)!;
      expect(box.detail).toContain('http://127.0.0.1:9');
      expect(box.buttons[box.defaultId]).toBe('Cancel');
      expect(box.cancelId).toBe(box.defaultId);
      expect(s.fetches.length).toBe(fetchesBefore);
      // Approved: the key is checked against that server (unreachable here), so the refusal is a different one.
      await app.send({ type: 'answer-message-box', response: 1 });
      const approved = await invoke();
      expect(approved.ok).toBe(false);
      expect(approved.error?.code).not.toBe('not_confirmed');
    });

    it('closing the window hides it; a second launch and the tray icon bring it back', async () => {
      await app.send({ type: 'window-close' });
      let s = await app.snapshot();
      expect(s.windows[0]).toMatchObject({ visible: false, destroyed: false });
      await app.send({ type: 'app-event', event: 'second-instance', args: [[], repo] });
      s = await app.waitFor('the window to show', (x) => x.windows[0]!.visible);
      expect(s.windows).toHaveLength(1);
      await app.send({ type: 'window-hide' });
      await app.send({ type: 'tray-click' });
      s = await app.waitFor('the window to show', (x) => x.windows[0]!.visible);
      expect(s.windows).toHaveLength(1);
    });

    it('tray "Continue with ChatGPT…" opens the system browser, and a finished sign-in brings the window forward', async () => {
      await app.send({ type: 'window-hide' });
      const buildsBefore = tray(await app.snapshot()).menuBuilds;
      await app.send({ type: 'menu-click', label: 'Continue with ChatGPT…' });
      let s = await app.waitFor('the browser to open', (x) => x.opened.length > 0);
      const authorize = new URL(s.opened[0]!);
      expect(`${authorize.origin}${authorize.pathname}`).toBe(`${stack.endpoints.issuer}/api/accounts/authorize`);
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorize.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\/callback$/);

      // Meanwhile the core talked to the issuer through the in-memory partition, never sending cookies.
      expect(s.fetches.length).toBeGreaterThan(0);
      expect(s.fetches.every((f) => f.partition === 'loupe-net' && f.credentials === 'omit')).toBe(true);

      // The tray menu follows the state: Cancel sign-in while waiting.
      s = await app.waitFor('Cancel sign-in', (x) => tray(x).menu.some((i) => i.label === 'Cancel sign-in'));
      expect(tray(s).menuBuilds).toBeGreaterThan(buildsBefore);

      // The person is in the browser now; the window is behind it.
      await app.send({ type: 'window-hide' });
      const callback = await completeAuthorizationInBrowser(authorize.href);
      await fetch(callback);
      s = await app.waitFor('the window to come forward', (x) => x.windows[0]!.visible);
      const state = await app.state();
      expect(state.account.status).toBe('signed_in');
      expect(state.signIn).toMatchObject({ phase: 'idle', error: null });
      expect(tray(s).tooltip).toContain(state.account.email ?? '');
    });

    it('rebuilds the tray menu only when it changes', async () => {
      const s0 = await app.waitFor('the signed-in menu', (x) => tray(x).menu.some((i) => i.label === 'Sign out'));
      const state = await app.state();
      expect(tray(s0).menu).toEqual(expectedMenu(trayModel(state, Date.now()).menu));
      // A published state that changes nothing in the menu (a setting) does not replace an open menu.
      const updated = await app.send<{ ok: boolean }>({ type: 'invoke', channel: 'loupe:invoke', args: ['settings.update', { theme: 'dark' }] });
      expect(updated.ok).toBe(true);
      // Publishing is throttled: wait until the window has been sent the new state (the tray hears the same publish).
      const sent = s0.windows[0]!.stateMessages;
      const s1 = await app.waitFor('the state to be published', (x) => x.windows[0]!.stateMessages > sent);
      expect((await app.state()).settings.theme).toBe('dark');
      expect(tray(s1).menuBuilds).toBe(tray(s0).menuBuilds);
    });

    it('tray "Add photos…" asks for files only (Linux) and stages what was picked', async () => {
      await app.send({ type: 'answer-open-dialog', filePaths: [photo] });
      await app.send({ type: 'menu-click', label: 'Add photos…' });
      const s = await app.waitFor('the dialog', (x) => x.calls.some((c) => c.api === 'dialog.showOpenDialog'));
      const dialog = s.calls.find((c) => c.api === 'dialog.showOpenDialog')!.args[0] as { properties: string[] };
      expect(dialog.properties).toEqual(['openFile', 'multiSelections']);
      for (let i = 0; i < 200 && (await app.state()).analysis.staged.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect((await app.state()).analysis.staged.map((x) => x.path)).toEqual([photo]);
    });

    it('"Add folder…" asks for folders only', async () => {
      await app.send({ type: 'menu-click', label: 'Add folder…' });
      const s = await app.waitFor('the second dialog', (x) => x.calls.filter((c) => c.api === 'dialog.showOpenDialog').length === 2);
      const dialog = s.calls.filter((c) => c.api === 'dialog.showOpenDialog')[1]!.args[0] as { properties: string[] };
      expect(dialog.properties).toEqual(['openDirectory', 'multiSelections']);
    });

    it('the development-only end-to-end hook clicks tray items by label', async () => {
      expect(await app.send({ type: 'e2e-hook' })).toBe(true);
      await app.send({ type: 'window-hide' });
      await app.send({ type: 'e2e-tray-click', label: 'Open Loupe' });
      expect((await app.snapshot()).windows[0]!.visible).toBe(true);
      await expect(app.send({ type: 'e2e-tray-click', label: 'No such item' })).rejects.toThrow(/no enabled tray item/);
    });

    it('Quit records running work and exits 0, with a log in the logs folder', async () => {
      await app.send({ type: 'menu-click', label: 'Quit Loupe' });
      const exit = await app.exited;
      expect(exit).toMatchObject({ requested: 0, code: 0 });
      const log = readFileSync(join(app.userData, 'logs', 'main.log'), 'utf8');
      expect(log).toContain('"imageBackend":"wasm"');
      expect(log).toContain('"message":"ready"');
    });
  });
}
