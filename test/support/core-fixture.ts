/**
 * A real createCore() on Node adapters, pointed at the stand-in servers, with
 * the browser played by the auth stand-in's page driver. Records every token
 * the servers hand out so tests can scan for leaks.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppState, CommandError, CommandInput, CommandName, CommandOutput } from '../../electron/contract';
import { createNodeDeps } from './node-deps';
import { createNodeCipher } from './node-cipher';
import type { Clock, CoreDeps } from '../../electron/core/kernel/deps';
import { dispatchCommand, dispatchOffered } from '../../electron/core/kernel/dispatch';
import { type ActiveSession, type Core, type CoreOptions, wireCore } from '../../electron/core/index';
import { completeAuthorizationInBrowser } from '../servers/auth/auth-server';
import { type StandIns, startStandIns } from '../servers/stack';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';

export interface CoreFixture {
  core: Core;
  /** The active account's bearer credentials, as in-process API callers get them. */
  session: ActiveSession;
  dataDir: string;
  opened: string[];
  copied: string[];
  states: AppState[];
  /** Every line the core logged, with its fields. */
  logs: string[];
  /** Every secret string seen on the wire: tokens, codes, states. */
  secrets: Set<string>;
  /** Runs a command like the renderer would, through the dispatcher, typed by the contract. */
  run<C extends CommandName>(command: C, ...input: InputArg<C>): Promise<RunResult<CommandOutput<C>>>;
  /** Files and folders dropped on the window: what the preload sends on its own channel (CHANNELS.dropped). */
  drop(input: { paths: string[] }): Promise<RunResult<void>>;
  /** Hostile input: anything at all, straight into the dispatcher. */
  runRaw(command: unknown, input?: unknown): Promise<RawResult>;
  restart(overrides?: { deps?: Partial<CoreDeps>; options?: CoreOptions }): Promise<Core>;
  dispose(): Promise<void>;
}

/** Commands whose input may be empty can be run without one. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- "{} is assignable" is exactly the test for an all-optional input
type InputArg<C extends CommandName> = {} extends CommandInput<C> ? [input?: CommandInput<C>] : [input: CommandInput<C>];

/** A dispatcher answer with both sides readable, so a test can assert on either without narrowing first. */
export interface RunResult<T> {
  ok: boolean;
  value?: T;
  error?: CommandError;
}

/** A dispatcher answer seen from outside the contract (what a compromised renderer would get). */
export interface RawResult {
  ok: boolean;
  value?: unknown;
  error?: CommandError;
}

export interface FixtureOptions {
  clock?: Clock;
  deps?: Partial<CoreDeps>;
  options?: CoreOptions;
  dataDir?: string;
  cipherKey?: Buffer;
}

export async function createCoreFixture(stack: StandIns, fixtureOptions: FixtureOptions = {}): Promise<CoreFixture> {
  const dataDir = fixtureOptions.dataDir ?? (await mkdtemp(join(tmpdir(), 'loupe-core-')));
  const cipherKey = fixtureOptions.cipherKey ?? randomBytes(32);
  const opened: string[] = [];
  const copied: string[] = [];
  const states: AppState[] = [];
  const logs: string[] = [];
  const secrets = new Set<string>();
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  const logger = { info: record('info'), warn: record('warn'), error: record('error') };

  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.includes('/oauth/token')) {
      try {
        const body = (await response.clone().json()) as Record<string, unknown>;
        for (const key of ['access_token', 'refresh_token', 'id_token']) if (typeof body[key] === 'string') secrets.add(body[key]);
      } catch {
        /* error bodies */
      }
    }
    return response;
  };

  const build = async (overrides: { deps?: Partial<CoreDeps>; options?: CoreOptions } = {}) => {
    const { core, session } = await wireCore(
      createNodeDeps(dataDir, {
        cipher: createNodeCipher({ key: cipherKey }),
        fetch: recordingFetch,
        openExternal: async (url) => {
          opened.push(url);
          const u = new URL(url);
          for (const key of ['state', 'nonce', 'code_challenge']) {
            const v = u.searchParams.get(key);
            if (v) secrets.add(v);
          }
        },
        copyText: (text) => void copied.push(text),
        logger,
        ...(fixtureOptions.clock ? { clock: fixtureOptions.clock } : {}),
        ...fixtureOptions.deps,
        ...overrides.deps,
      }),
      { endpoints: stack.endpoints, ...fixtureOptions.options, ...overrides.options },
    );
    core.subscribe((s) => void states.push(s));
    states.push(core.getState());
    return { core, session };
  };

  const first = await build();
  const fixture: CoreFixture = {
    core: first.core,
    session: first.session,
    dataDir,
    opened,
    copied,
    states,
    logs,
    secrets,
    run: async (command, ...input) => dispatchCommand(fixture.core, command, input[0] ?? {}) as never,
    drop: async (input) => dispatchOffered(fixture.core, input),
    runRaw: async (command, input = {}) => dispatchCommand(fixture.core, command, input),
    restart: async (overrides) => {
      await fixture.core.dispose();
      ({ core: fixture.core, session: fixture.session } = await build(overrides));
      return fixture.core;
    },
    dispose: async () => {
      await fixture.core.dispose();
      if (!fixtureOptions.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** A fetch that fails like a dropped network for `/models` while `offline()` says so. */
export function modelsOfflineFetch(offline: () => boolean): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (offline() && url.endsWith('/models')) throw new TypeError('fetch failed');
    return fetch(input, init);
  };
}

/** Resolves once the core's state satisfies `predicate` (rejects after `timeoutMs`). */
export function waitForState(core: Core, predicate: (s: AppState) => boolean, timeoutMs = 10_000): Promise<AppState> {
  return new Promise((resolve, reject) => {
    if (predicate(core.getState())) return resolve(core.getState());
    const timer = setTimeout(() => {
      off();
      reject(
        new Error(`state condition not met in ${timeoutMs} ms: ${JSON.stringify(core.getState().signIn)} ${JSON.stringify(core.getState().account)}`),
      );
    }, timeoutMs);
    const off = core.subscribe((s) => {
      if (predicate(s)) {
        clearTimeout(timer);
        off();
        resolve(s);
      }
    });
  });
}

/**
 * Resolves with the next snapshot the core publishes (rejects after `timeoutMs`).
 * Subscribes at once: take it before asking for what may change, then await it.
 */
export function nextState(core: Core, timeoutMs = 10_000): Promise<AppState> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`the core published nothing in ${timeoutMs} ms`));
    }, timeoutMs);
    // A hang guard: it must not keep the test process waiting once the answer is no longer wanted.
    timer.unref?.();
    const off = core.subscribe((s) => {
      clearTimeout(timer);
      off();
      resolve(s);
    });
  });
}

export async function waitForOpened(fixture: CoreFixture, count: number): Promise<string> {
  for (let i = 0; i < 200 && fixture.opened.length < count; i++) await new Promise((r) => setTimeout(r, 10));
  const url = fixture.opened[count - 1];
  if (!url) throw new Error('the core never opened a sign-in URL');
  return url;
}

type BrowserOptions = Parameters<typeof completeAuthorizationInBrowser>[1];

/**
 * Starts "Continue with ChatGPT", plays the person in the browser, and lets the
 * browser follow the redirect to Loupe's loopback listener.
 */
export async function signInThroughBrowser(fixture: CoreFixture, browser: BrowserOptions = {}, input: { reconsent?: boolean } = {}) {
  const before = fixture.opened.length;
  const started = await fixture.run('auth.signIn', input);
  if (!started.ok) throw new Error(`auth.signIn failed: ${JSON.stringify(started.error)}`);
  const authorizeUrl = await waitForOpened(fixture, before + 1);
  const callback = await completeAuthorizationInBrowser(authorizeUrl, browser);
  const code = callback.searchParams.get('code');
  if (code) fixture.secrets.add(code);
  const page = await fetch(callback);
  const settled = await waitForState(fixture.core, (s) => s.signIn.phase === 'idle');
  return { authorizeUrl: new URL(authorizeUrl), callback, page, state: settled };
}

/** Every file under `dir`, recursively, with its bytes. */
export async function readTree(dir: string): Promise<Array<{ path: string; content: Buffer }>> {
  const out: Array<{ path: string; content: Buffer }> = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    try {
      if ((await stat(path)).isDirectory()) out.push(...(await readTree(path)));
      else out.push({ path, content: await readFile(path) });
    } catch (error) {
      // A temp file renamed over its target between readdir and read: the target is read instead.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return out;
}

/**
 * For a test file whose tests each open cores on one stand-in stack: the
 * stack for the file, a fresh data folder (named `prefix…`) per test, and
 * every core opened with `fixture()` disposed after its test.
 */
export function useCoreFixtures(prefix: string): {
  readonly stack: StandIns;
  readonly dataDir: string;
  fixture(options?: Parameters<typeof createCoreFixture>[1]): Promise<CoreFixture>;
  /** Disposes one of them before the test ends (a quit in the middle of a test). */
  dispose(fx: CoreFixture): Promise<void>;
} {
  let stack: StandIns;
  let dataDir: string;
  const fixtures: CoreFixture[] = [];
  beforeAll(async () => {
    stack = await startStandIns();
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    while (fixtures.length) await fixtures.pop()!.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });
  return {
    get stack() {
      return stack;
    },
    get dataDir() {
      return dataDir;
    },
    async fixture(options = {}) {
      const fx = await createCoreFixture(stack, { dataDir, ...options });
      fixtures.push(fx);
      return fx;
    },
    async dispose(fx) {
      fixtures.splice(fixtures.indexOf(fx), 1);
      await fx.dispose();
    },
  };
}
