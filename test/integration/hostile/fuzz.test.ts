/**
 * Issue #14, item 5: a seeded fuzz of the whole trust boundary. Hostile
 * inputs go to every command in the contract through structured cloning (as
 * IPC carries them) and `dispatchCommand`, signed out and signed in, against a
 * real core on Node adapters and the loopback stand-ins. Every call must
 * resolve with a well-formed result, never throw or hang; no prototype may
 * change; no secret, stack trace or overlong message may reach a result; no
 * unsafe URL may reach the browser.
 *
 * The seed is printed; rerun one with LOUPE_FUZZ_SEED=<seed> (or `random`).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CommandName, commands } from '../../../electron/contract';
import { isLoopbackHost } from '../../../electron/core/kernel/urls';
import { dispatchCommand } from '../../../electron/core/kernel/dispatch';
import { makePhotos } from '../../support/analysis-fixture';
import { type CoreFixture, createCoreFixture, signInThroughBrowser, waitForState } from '../../support/core-fixture';
import { type StandIns, startStandIns } from '../../servers/stack';
import { assertOpened, assertResult, knownCodes, prototypeSnapshot } from './fuzz-checks';
import { COMMANDS, type Prng, hostileValues, makeInput, prng } from './fuzz-inputs';

const SEED = (() => {
  const env = process.env.LOUPE_FUZZ_SEED;
  if (env === 'random') return (Math.random() * 2 ** 32) >>> 0;
  return env ? Number(env) >>> 0 : 0x14_c0ffee >>> 0;
})();
const CALLS_PER_PHASE = Number(process.env.LOUPE_FUZZ_CALLS ?? 1500);
/** A hang guard, not a timing assertion: no command should come anywhere near it. */
const HANG_LIMIT_MS = 15_000;
const API_KEY = 'sk-test-fuzz-9f2c1e7b5a3d4c6e8f0a1b2c3d4e5f60';

let stack: StandIns;
let base: string;
let photos: string;
let prototypesBefore: string[];

beforeAll(async () => {
  console.log(`hostile-fuzz seed: ${SEED} (rerun with LOUPE_FUZZ_SEED=${SEED})`);
  prototypesBefore = prototypeSnapshot();
  stack = await startStandIns({ api: { apiKeys: [API_KEY] } });
  base = await mkdtemp(join(tmpdir(), 'loupe-fuzz-'));
  photos = join(base, 'photos');
  await mkdir(photos);
  await makePhotos(photos, 2, { baseWidth: 64, height: 48 });
  // Nothing may leave the machine: only loopback is reachable, everything else fails at once like a dropped network.
  const realFetch = globalThis.fetch;
  vi.stubGlobal('fetch', async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (!isLoopbackHost(url.hostname)) throw new TypeError('fetch failed');
    return realFetch(input, init);
  });
});
afterAll(async () => {
  vi.unstubAllGlobals();
  await stack?.close();
  if (base) await rm(base, { recursive: true, force: true });
});

interface Outcome {
  calls: number;
  skipped: number;
  byCommand: Map<string, number>;
  /** `ok` or the error code, with how often each came back. */
  results: Map<string, number>;
}

async function fuzz(fx: CoreFixture, r: Prng, codes: Set<string>, secrets: () => string[], outcome: Outcome, signedIn: boolean): Promise<void> {
  const values = hostileValues(r, stack, base, photos);
  for (let i = 0; i < CALLS_PER_PHASE; i++) {
    // Now and then, undo what the fuzz itself undid (staged photos, the signed-in account), so later calls
    // get past "nothing staged" and "signed out" and jobs really run.
    if (i % 25 === 0) {
      await fx.drop({ paths: [photos] });
      if (signedIn && fx.core.getState().account.status !== 'signed_in')
        await fx.run('accounts.addApiKey', { label: 'Key', baseUrl: stack.endpoints.apiBase, apiKey: API_KEY });
    }
    const command: unknown = r.chance(0.03)
      ? r.pick([...values.strings.slice(0, 20), 'shell.exec', 'analysis.stage', '__proto__', 42, null])
      : r.pick(COMMANDS);
    const raw = makeInput(r, values, typeof command === 'string' && Object.hasOwn(commands, command) ? (command as CommandName) : 'app.getState');
    let cloned: unknown;
    try {
      cloned = structuredClone(raw);
    } catch {
      outcome.skipped++; // IPC could not carry it either (too deep, an Error subclass it cannot clone…).
      continue;
    }
    const where = `seed ${SEED}, call ${i}, ${String(command)}`;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hang = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), HANG_LIMIT_MS)));
    let result: unknown;
    try {
      result = await Promise.race([dispatchCommand(fx.core, structuredClone(command), cloned), hang]);
    } catch (error) {
      throw new Error(`${where}: dispatchCommand threw ${(error as Error)?.name}`);
    } finally {
      clearTimeout(timer);
    }
    expect(result, `${where}: hung`).not.toBe('hang');
    assertResult(result, where, codes);
    const text = JSON.stringify(result) ?? '';
    for (const secret of secrets()) expect(text.includes(secret), `${where}: a secret reached the result`).toBe(false);
    expect(text, `${where}: a stack trace reached the result`).not.toMatch(/\n\s+at .+:\d+:\d+|\bat (?:async )?[\w.<>]+ \(.*:\d+:\d+\)/);
    outcome.calls++;
    const key = (result as { ok: boolean }).ok ? 'ok' : (result as { error: { code: string } }).error.code;
    outcome.results.set(key, (outcome.results.get(key) ?? 0) + 1);
    outcome.byCommand.set(String(command), (outcome.byCommand.get(String(command)) ?? 0) + 1);
  }
}

describe(`hostile input at the boundary (seed ${SEED})`, () => {
  it('every command, signed out then signed in: typed results only, bounded, no escape, hang, pollution, secret or unsafe URL', async () => {
    const codes = knownCodes();
    const r = prng(SEED);
    const documentsDir = join(base, 'Documents');
    const fx = await createCoreFixture(stack, {
      options: { analysisTuning: { backoffBaseMs: 5, backoffMaxMs: 20 } },
      deps: { documentsDir, pickFiles: async () => [], pickSavePath: async () => null, openPath: async () => {}, notify: () => {} },
    });
    const outcome: Outcome = { calls: 0, skipped: 0, byCommand: new Map(), results: new Map() };
    const secrets = () => [API_KEY, ...[...fx.secrets].filter((s) => s.length >= 16)];
    try {
      await fuzz(fx, r, codes, secrets, outcome, false);

      // Signed in: a ChatGPT session (its tokens become secrets to look for) and an API-key account.
      await signInThroughBrowser(fx);
      const added = await fx.run('accounts.addApiKey', { label: 'Key', baseUrl: stack.endpoints.apiBase, apiKey: API_KEY });
      expect(added.ok, JSON.stringify(added.error)).toBe(true);
      await waitForState(fx.core, (s) => s.models.status === 'ready');
      expect(fx.secrets.size).toBeGreaterThan(0);
      await fuzz(fx, r, codes, secrets, outcome, true);

      assertOpened(fx);
      const state = JSON.stringify(fx.core.getState());
      for (const secret of secrets()) expect(state.includes(secret)).toBe(false);
    } finally {
      await fx.dispose();
    }
    expect(prototypeSnapshot()).toEqual(prototypesBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(outcome.calls).toBeGreaterThan(CALLS_PER_PHASE);
    // Every command was reached.
    for (const name of COMMANDS) expect(outcome.byCommand.get(name) ?? 0, name).toBeGreaterThan(0);
    console.log(
      `hostile-fuzz: ${outcome.calls} calls across ${COMMANDS.length} commands (${outcome.skipped} inputs structured cloning refuses), seed ${SEED}: ${[...outcome.results].map(([k, n]) => `${k} ${n}`).join(', ')}`,
    );
  }, 120_000);
});
