/**
 * Starts the built main process (dist/main/main.js) in a Node child process
 * against the Electron double, and drives it: fire events, read what it did.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import type { AppState } from '../../electron/contract';
import type { DoubleConfig } from './double/electron-double';
import type { Command, Snapshot } from './double/protocol';

export const repo = fileURLToPath(new URL('../../', import.meta.url));
export const builtMain = join(repo, 'dist/main/main.js');
const doubleDir = fileURLToPath(new URL('./double/', import.meta.url));

let built: { register: string; runMain: string } | undefined;
/**
 * The double is TypeScript; the child runs plain Node without a TypeScript
 * loader, so nothing but the built main and the double is transformed (a
 * loader would also rewrite dist/main/main.js and hide its source map from
 * the coverage report). esbuild comes with tsx.
 */
function buildDouble(): { register: string; runMain: string } {
  if (built) return built;
  // Inside the repo (git-ignored .cache) so `sharp` resolves to the same package the app loads.
  const out = join(repo, '.cache', 'electron-double');
  mkdirSync(out, { recursive: true });
  buildSync({
    entryPoints: [join(doubleDir, 'register.ts')],
    outfile: join(out, 'register.mjs'),
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
  });
  for (const file of ['hooks.mjs', 'electron-esm.mjs', 'electron-updater-esm.mjs', 'electron-cjs.cjs', 'run-main.mjs'])
    copyFileSync(join(doubleDir, file), join(out, file));
  built = { register: join(out, 'register.mjs'), runMain: join(out, 'run-main.mjs') };
  return built;
}

export interface Exit {
  /** The code the app asked for (app.exit / app.quit), null when it never asked. */
  requested: number | null;
  /** The process's own exit code. */
  code: number | null;
  /** What the double had recorded when the app asked to exit. */
  last: Snapshot | null;
}

export interface SimulatedApp {
  child: ChildProcess;
  userData: string;
  send<T = unknown>(command: Command): Promise<T>;
  snapshot(): Promise<Snapshot>;
  state(): Promise<AppState>;
  /** Polls until `predicate` holds (or throws after `timeoutMs`, naming `what`). */
  waitFor(what: string, predicate: (s: Snapshot) => boolean, timeoutMs?: number): Promise<Snapshot>;
  exited: Promise<Exit>;
  output(): string;
  stop(): Promise<void>;
}

export function launch(
  options: Partial<DoubleConfig> & {
    env?: Record<string, string | undefined>;
    resourcesPath?: string;
    execPath?: string;
    coverageDir?: string;
    /** Another built main (a packaged app's, extracted); default dist/main/main.js. */
    main?: string;
  } = {},
): SimulatedApp {
  // Without an appData of its own, a scenario runs as Playwright's suite does: --user-data-dir names the folder.
  const appData = options.appData ?? mkdtempSync(join(tmpdir(), 'loupe-sim-'));
  const userDataSwitch = options.userDataSwitch ?? options.appData === undefined;
  const userData = options.userData ?? (userDataSwitch ? appData : join(appData, 'Loupe'));
  const documents = join(appData, 'Documents');
  try {
    mkdirSync(documents, { recursive: true });
  } catch {
    // A test that makes userData unusable on purpose.
  }
  const config: DoubleConfig & { resourcesPath?: string; execPath?: string } = {
    platform: options.platform ?? 'linux',
    appData,
    userData,
    userDataSwitch,
    documents,
    appPath: repo,
    packaged: options.packaged ?? false,
    version: options.version ?? '0.1.0',
    singleInstanceLock: options.singleInstanceLock ?? true,
    storageBackend: options.storageBackend ?? 'gnome_libsecret',
    ...(options.keychain ? { keychain: options.keychain } : {}),
    ...(options.keyTag ? { keyTag: options.keyTag } : {}),
    ...(options.updater ? { updater: options.updater } : {}),
    ...(options.throwFrom ? { throwFrom: options.throwFrom } : {}),
    ...(options.resourcesPath ? { resourcesPath: options.resourcesPath } : {}),
    ...(options.execPath ? { execPath: options.execPath } : {}),
  };
  const { register, runMain } = buildDouble();
  const child = fork(runMain, [], {
    cwd: repo,
    execArgv: ['--import', register],
    env: {
      ...process.env,
      ...options.env,
      LOUPE_DOUBLE_CONFIG: JSON.stringify(config),
      LOUPE_MAIN: options.main ?? builtMain,
      ...(options.coverageDir ? { NODE_V8_COVERAGE: options.coverageDir } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let requested: number | null = null;
  let last: Snapshot | null = null;
  child.on(
    'message',
    (message: { type: string; id?: number; ok?: boolean; result?: unknown; error?: string; code?: number; snapshot?: Snapshot }) => {
      if (message.type === 'exit') {
        requested = message.code ?? null;
        last = message.snapshot ?? null;
      }
      if (message.type !== 'reply' || message.id === undefined) return;
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.ok) waiter?.resolve(message.result);
      else waiter?.reject(new Error(message.error));
    },
  );
  const exited = new Promise<Exit>((resolve) => {
    child.on('exit', (code) => {
      for (const waiter of pending.values()) waiter.reject(new Error(`the app exited (${code}) before answering\n${output}`));
      pending.clear();
      resolve({ requested, code, last });
    });
  });

  const send = <T>(command: Command) =>
    new Promise<T>((resolve, reject) => {
      if (!child.connected) return reject(new Error(`the app is not running\n${output}`));
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, command });
    });
  const snapshot = () => send<Snapshot>({ type: 'snapshot' });

  return {
    child,
    userData,
    send,
    snapshot,
    async state() {
      const result = await send<{ ok: boolean; value: AppState }>({ type: 'state' });
      if (!result.ok) throw new Error(`app.getState failed: ${JSON.stringify(result)}`);
      return result.value;
    },
    async waitFor(what, predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await snapshot();
        if (predicate(s)) return s;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${output}\n${JSON.stringify(s.violations)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    exited,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        if (child.connected) await send({ type: 'quit' }).catch(() => {});
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
