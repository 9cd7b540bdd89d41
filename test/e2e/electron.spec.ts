import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ElectronApplication, type Page, _electron, expect, test } from '@playwright/test';
import type { AppState } from '../../electron/contract';
import { completeAuthorizationInBrowser } from '../servers/auth/auth-server';
import { type StandIns, startStandIns } from '../servers/stack';
import { findElectronBinary } from './electron-binary';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const binary = findElectronBinary();
if (!binary.path) console.log(`[electron suite] skipped: ${binary.reason}`);

test.describe('Electron app', () => {
  test.skip(!binary.path, binary.path ? '' : binary.reason);

  test('opens one hardened window on app://loupe with the bridge and CSP', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'loupe-e2e-electron-'));
    const app = await _electron.launch({
      executablePath: binary.path!,
      args: [repo, '--no-sandbox', `--user-data-dir=${dataDir}`],
      env: { ...process.env, ELECTRON_ENABLE_LOGGING: '1' },
    });
    try {
      const page = await app.firstWindow();
      await expect(page.getByRole('heading', { name: 'Welcome to Loupe' })).toBeVisible();
      expect(page.url()).toBe('app://loupe/index.html');

      const surface = await page.evaluate(() => ({
        keys: Object.keys((window as unknown as { loupe: object }).loupe).sort(),
        require: typeof (window as unknown as { require?: unknown }).require,
        process: typeof (window as unknown as { process?: unknown }).process,
      }));
      expect(surface).toEqual({ keys: ['invoke', 'onState', 'stageDropped'], require: 'undefined', process: 'undefined' });

      const csp = await app.evaluate(async ({ net }) => (await net.fetch('app://loupe/index.html')).headers.get('content-security-policy'));
      expect(csp).toContain("connect-src 'none'");

      const opened = await page.evaluate(() => window.open('https://example.com') === null);
      expect(opened).toBe(true);
      expect(app.windows().length).toBe(1);
    } finally {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  // CI runs this suite inside a D-Bus session with GNOME Keyring unlocked (build/ci/with-keyring.sh).
  test('Linux: safeStorage encrypts with a key from the keyring, and the vault is kept there', async () => {
    test.skip(process.platform !== 'linux' || !process.env.DBUS_SESSION_BUS_ADDRESS, 'needs Linux with a D-Bus session and an unlocked keyring');
    const dataDir = await mkdtemp(join(tmpdir(), 'loupe-e2e-electron-'));
    const app = await _electron.launch({
      executablePath: binary.path!,
      args: [repo, '--no-sandbox', `--user-data-dir=${dataDir}`, '--password-store=gnome-libsecret'],
    });
    try {
      const page = await app.firstWindow();
      const keyring = await app.evaluate(async ({ safeStorage }) => ({
        backend: safeStorage.getSelectedStorageBackend(),
        // Chromium's os_crypt tag: v11 is a keyring key, v10 the hard-coded one (electron/shell/safe-storage-cipher.ts).
        tag: (await safeStorage.encryptStringAsync('probe')).subarray(0, 3).toString('latin1'),
      }));
      expect(keyring).toEqual({ backend: 'gnome_libsecret', tag: 'v11' });
      const storage = await page.evaluate(async () => {
        const result = await (window as unknown as { loupe: { invoke: (c: string, i: object) => Promise<{ value: AppState }> } }).loupe.invoke(
          'app.getState',
          {},
        );
        return result.value.account.storage;
      });
      expect(storage).toBe('keychain');
    } finally {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

/**
 * Tray sign-in and drop-and-analyse against the stand-in servers, driven the
 * way a person would: the tray menu (through the development-only
 * `loupeE2E.tray` hook, LOUPE_E2E=1), the system browser (intercepted in the
 * main process), and the window's own bridge for what a drop does.
 */
test.describe('Electron app with the stand-in servers', () => {
  test.skip(!binary.path, binary.path ? '' : binary.reason);
  test.describe.configure({ mode: 'serial' });

  let stack: StandIns;
  let app: ElectronApplication;
  let page: Page;
  let dataDir: string;

  test.beforeAll(async () => {
    stack = await startStandIns();
    dataDir = await mkdtemp(join(tmpdir(), 'loupe-e2e-electron-'));
    app = await _electron.launch({
      executablePath: binary.path!,
      args: [repo, '--no-sandbox', `--user-data-dir=${join(dataDir, 'userData')}`],
      env: {
        ...process.env,
        LOUPE_E2E: '1',
        LOUPE_CHATGPT_ISSUER: stack.endpoints.issuer,
        LOUPE_OPENAI_API_BASE: stack.endpoints.apiBase,
      },
    });
    page = await app.firstWindow();
    // The system browser is the test: record what Loupe asks it to open.
    await app.evaluate(({ shell }) => {
      const opened: string[] = [];
      Object.assign(globalThis, { openedUrls: opened });
      shell.openExternal = async (url: string) => void opened.push(url);
    });
  });
  test.afterAll(async () => {
    await app?.close();
    await stack?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const state = () =>
    page.evaluate(async () => {
      const result = await (
        window as unknown as { loupe: { invoke: (c: string, i: object) => Promise<{ ok: boolean; value: AppState }> } }
      ).loupe.invoke('app.getState', {});
      return result.value;
    });
  const trayClick = (label: string) =>
    app.evaluate((_electron, l) => (globalThis as unknown as { loupeE2E: { tray: { click(label: string): void } } }).loupeE2E.tray.click(l), label);

  test('tray "Continue with ChatGPT…" signs in through the browser and brings the window back', async () => {
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.hide());
    await trayClick('Continue with ChatGPT…');
    await expect.poll(() => app.evaluate(() => (globalThis as unknown as { openedUrls: string[] }).openedUrls.length)).toBe(1);
    const authorizeUrl = await app.evaluate(() => (globalThis as unknown as { openedUrls: string[] }).openedUrls[0]!);
    expect(authorizeUrl.startsWith(`${stack.endpoints.issuer}/`)).toBe(true);

    // The window stays out of the way while the person is in the browser.
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.hide());
    const callback = await completeAuthorizationInBrowser(authorizeUrl);
    await fetch(callback);

    await expect.poll(async () => (await state()).account.status).toBe('signed_in');
    await expect.poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.isVisible())).toBe(true);
  });

  test('photos dropped on the window are analysed and written to the output folder', async () => {
    const outputDir = join(dataDir, 'out');
    // The window cannot stage a path it names (issue #10, item 8)…
    const named = await page.evaluate(
      async (paths) =>
        (window as unknown as { loupe: { invoke: (c: string, i: object) => Promise<{ ok: boolean; error?: { code: string } }> } }).loupe.invoke(
          'analysis.stage',
          { paths },
        ),
      [join(repo, 'test/fixtures/good')],
    );
    expect(named).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
    // …nor with a File it made itself (Electron gives such a File no path)…
    const made = await page.evaluate(() => window.loupe.stageDropped([new File(['x'], 'made.jpg')]));
    expect(made).toMatchObject({ ok: false, error: { code: 'not_allowed' } });
    // …only real files, here chosen through a file input (Playwright hands Chromium real files, as a drop does).
    await page.evaluate(() => {
      const element = document.createElement('input');
      element.type = 'file';
      element.multiple = true;
      element.id = 'e2e-drop';
      document.body.append(element);
    });
    const input = page.locator('#e2e-drop');
    await input.setInputFiles(
      ['01-sunset.jpg', '02-meadow.webp', '03-portrait.jpg', '04-shapes.png', '05-harbour.webp'].map((name) =>
        join(repo, 'test/fixtures/good', name),
      ),
    );
    const staged = await input.evaluate((element: HTMLInputElement) => window.loupe.stageDropped([...element.files!]));
    await input.evaluate((element) => element.remove());
    expect(staged.ok).toBe(true);
    await expect.poll(async () => (await state()).analysis.staged.length).toBeGreaterThan(0);
    // The output folder comes from the main process's folder dialog (the window cannot name one): it answers with outputDir.
    await app.evaluate(({ dialog }, dir) => {
      dialog.showOpenDialog = async () => ({ canceled: false, filePaths: [dir] });
    }, outputDir);
    const invoke = (command: string, input: object) =>
      page.evaluate(
        ([c, i]) =>
          (window as unknown as { loupe: { invoke: (c: string, i: object) => Promise<{ ok: boolean; value?: { jobId: string } }> } }).loupe.invoke(
            c,
            i,
          ),
        [command, input] as const,
      );
    expect((await invoke('analysis.pickOutputDir', {})).ok).toBe(true);
    const started = await invoke('analysis.start', { preset: 'describe', name: 'e2e' });
    expect(started.ok).toBe(true);
    await expect.poll(async () => (await state()).analysis.jobs.find((j) => j.id === started.value!.jobId)?.status, { timeout: 60_000 }).toBe('done');
    const job = (await state()).analysis.jobs.find((j) => j.id === started.value!.jobId)!;
    expect(job.counts.done).toBe(5);
    expect(job.outputDir).toBe(outputDir);
    const written = await readdir(job.outputDir);
    expect(written).toEqual(expect.arrayContaining(['summary.json', 'results.csv']));
    expect(written.filter((f) => f.endsWith('.json') && f !== 'summary.json')).toHaveLength(5);
  });
});
