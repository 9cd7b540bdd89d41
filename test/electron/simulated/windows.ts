/** Windows: the AppUserModelID before ready, and the running job recorded when the session ends. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtMain } from '../simulated-app';
import { APP_ID, start, started } from './support';

export function windows(): void {
  describe.skipIf(!existsSync(builtMain))('simulated Electron: Windows', () => {
    it('sets the AppUserModelID before ready and records the running job when the session ends', async () => {
      const app = start({ platform: 'win32' });
      try {
        await app.send({ type: 'ready' });
        const s = await app.waitFor('the tray', started);
        const id = s.calls.find((c) => c.api === 'app.setAppUserModelId');
        expect(id).toEqual({ api: 'app.setAppUserModelId', afterReady: false, args: [APP_ID] });
        expect(s.violations).toEqual([]);
        await app.send({ type: 'window-event', event: 'session-end' });
        expect(await app.exited).toMatchObject({ requested: 0, code: 0 });
      } finally {
        await app.stop();
      }
    });
  });
}
