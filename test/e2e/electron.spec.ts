import { fileURLToPath } from 'node:url';
import { _electron, expect, test } from '@playwright/test';
import { findElectronBinary } from './electron-binary';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const binary = findElectronBinary();
if (!binary.path) console.log(`[electron suite] skipped: ${binary.reason}`);

test.describe('Electron app', () => {
  test.skip(!binary.path, binary.path ? '' : binary.reason);

  test('opens one hardened window on app://loupe with the bridge and CSP', async () => {
    const app = await _electron.launch({
      executablePath: binary.path!,
      args: [repo, '--no-sandbox'],
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
      expect(surface).toEqual({ keys: ['invoke', 'onState', 'pathsForFiles'], require: 'undefined', process: 'undefined' });

      const csp = await app.evaluate(async ({ net }) => (await net.fetch('app://loupe/index.html')).headers.get('content-security-policy'));
      expect(csp).toContain("connect-src 'none'");

      const opened = await page.evaluate(() => window.open('https://example.com') === null);
      expect(opened).toBe(true);
      expect(app.windows().length).toBe(1);
    } finally {
      await app.close();
    }
  });
});
