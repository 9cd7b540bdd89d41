/**
 * Issue #10 item 1: the browser's callback request waits for Loupe's outcome,
 * and its page says what Loupe decided, from a fixed set of static pages.
 */
import { systemClock } from '../../../../electron/core/kernel/deps';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type LoopbackListener, startLoopbackListener } from '../../../../electron/core/sign-in/loopback';

const STATE = randomBytes(32).toString('base64url');
const CODE = `ac_${randomBytes(24).toString('base64url')}`;
const open: LoopbackListener[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

async function start(outcomeTimeoutMs?: number): Promise<LoopbackListener> {
  const listener = await startLoopbackListener({ expectedState: STATE, clock: systemClock, ...(outcomeTimeoutMs ? { outcomeTimeoutMs } : {}) });
  open.push(listener);
  return listener;
}

const url = (l: LoopbackListener, q: string) => `${l.redirectUri}?${q}`;
const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('the callback page waits for the outcome', () => {
  it('holds the browser until the flow reports, then serves the refusal, never "Signed in"', async () => {
    const listener = await start();
    let answered = false;
    const page = fetch(url(listener, `code=${CODE}&state=${STATE}`)).then(async (r) => {
      answered = true;
      return { status: r.status, html: await r.text(), csp: r.headers.get('content-security-policy')! };
    });
    await listener.callback;
    await ticks(20);
    expect(answered).toBe(false);
    listener.report('not_verified');
    listener.report('signed_in'); // a second report changes nothing
    const { status, html } = await page;
    expect(status).toBe(200);
    expect(html).toContain('Sign-in refused');
    expect(html).toContain('Return to Loupe.');
    expect(html).not.toMatch(/Signed in|signed in\./);
    expect(html).not.toContain(CODE);
  });

  it('answers "still finishing" when the outcome takes longer than the bound', async () => {
    const listener = await start(30);
    const response = await fetch(url(listener, `code=${CODE}&state=${STATE}`));
    const html = await response.text();
    expect(html).toContain('Loupe is still finishing the sign-in');
    expect(html).not.toContain('Signed in');
  });

  it('a cancel after the callback arrived does not pre-empt the outcome: the browser gets what the flow reports', async () => {
    const listener = await start();
    const page = fetch(url(listener, `code=${CODE}&state=${STATE}`)).then((r) => r.text());
    await listener.callback;
    listener.cancel();
    listener.report('different_account');
    expect(await page).toContain('different account');
  });

  it('closing without a report answers the generic failure, never "Signed in", and frees the port', async () => {
    const listener = await start();
    const page = fetch(url(listener, `code=${CODE}&state=${STATE}`)).then((r) => r.text());
    await listener.callback;
    await listener.close();
    const html = await page;
    expect(html).toContain('The sign-in could not be completed.');
    expect(html).not.toContain('Signed in');
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(listener.port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    expect(free).toBe(true);
  });
});
