/**
 * The packaged smoke test (.github/workflows, build/smoke.ts). Playwright's
 * `_electron` launches with `--inspect`, which the fuses forbid in a packaged
 * build, so the packaged app checks itself when started with
 * LOUPE_SMOKE_REPORT=/absolute/path/report.json (only the workflows and
 * test/electron set it):
 *
 *   start-up as usual up to the core (image backend hook, app://, createCore
 *   with the Electron adapters) → a safeStorage round trip with the same
 *   cipher the vault uses → sharp loaded from inside the package (native on
 *   macOS/Windows, WebAssembly from the asar on Linux, its worker threads
 *   included) → a photo staged and previewed through the core → the fuses read
 *   back from the running binary → the report written → exit 0 (1 when a check
 *   failed; the report says which).
 *
 * Harmless by construction: no window, tray, update check or network; its data
 * goes to a throwaway folder beside the report (`<report>.data`), never the
 * person's; the photo is LOUPE_SMOKE_PHOTO or the app's own icon.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, sep } from 'node:path';
import type { AppState, StagedThumbnail, TokenStorage } from '../contract';
import type { Core } from '../core/index';
import type { Logger } from '../core/kernel/deps';
import { dispatchCommand } from '../core/kernel/dispatch';
import { describeError } from './crash-log';
import { type ImageBackend, loadedImageBackend } from './image-backend';
import type { SafeStorageCipher } from './safe-storage-cipher';

export const SMOKE_REPORT_ENV = 'LOUPE_SMOKE_REPORT';
export const SMOKE_PHOTO_ENV = 'LOUPE_SMOKE_PHOTO';
/** How long the staged photo may take to appear; a stuck core fails the smoke instead of hanging CI. */
const STAGE_WAIT_MS = 60_000;

export interface SmokeRequest {
  report: string;
  dataDir: string;
  photo: string | undefined;
}

/** The smoke mode asked for by the environment, or null (the normal start). Relative paths are refused: CI names where it reads. */
export function smokeRequest(env: Partial<Record<string, string | undefined>>): SmokeRequest | null {
  const report = env[SMOKE_REPORT_ENV];
  if (!report) return null;
  if (!isAbsolute(report)) throw new Error(`${SMOKE_REPORT_ENV} must be an absolute path, got ${report}`);
  const photo = env[SMOKE_PHOTO_ENV] || undefined;
  return { report, dataDir: `${report}.data`, photo };
}

type FuseState = 'enabled' | 'disabled' | 'removed' | 'inherit' | 'unknown';

export interface SmokeReport {
  ok: boolean;
  failures: string[];
  app: { version: string; platform: string; arch: string; packaged: boolean; executable: string; electron: string | null };
  keychain: { available: boolean; backend: string; keyTag: string | null; roundTrip: boolean; vaultStorage: TokenStorage; error?: string };
  sharp: {
    expected: ImageBackend;
    loaded: ImageBackend | null;
    module: string | null;
    binding: string | null;
    insideAsar: boolean;
    concurrency: number | null;
    versions: Record<string, string | undefined>;
    error?: string;
  };
  photo: { path: string; staged: boolean; previewBytes: number; problem: string | null; error?: string };
  fuses: { read: boolean; wire: Record<string, FuseState>; error?: string };
}

export interface SmokeInput {
  request: SmokeRequest;
  core: Core;
  cipher: SafeStorageCipher;
  imageBackend: ImageBackend;
  iconDir: string;
  executable: string;
  app: Omit<SmokeReport['app'], 'executable'>;
  log: Logger;
  setTimeout: (fn: () => void, ms: number) => { cancel(): void };
}

/** Runs every check, writes the report where it was asked for, and returns it. Never throws. */
export async function runSmoke(input: SmokeInput): Promise<SmokeReport> {
  const failures: string[] = [];
  const keychain = await checkKeychain(input);
  if (!keychain.roundTrip) failures.push('keychain: the safeStorage round trip failed');
  const sharp = await checkSharp(input.imageBackend);
  if (sharp.loaded !== sharp.expected) failures.push(`sharp: expected the ${sharp.expected} build, loaded ${sharp.loaded ?? 'none'}`);
  const photo = await checkPhoto(input, input.request.photo ?? join(input.iconDir, 'app.png'));
  if (!photo.staged || photo.previewBytes === 0) failures.push(`photo: not prepared (${photo.problem ?? photo.error ?? 'no preview'})`);
  const fuses = await readFuses(input.executable);
  if (!fuses.read) failures.push(`fuses: not read (${fuses.error ?? 'unknown'})`);
  const report: SmokeReport = {
    ok: failures.length === 0,
    failures,
    app: { ...input.app, executable: input.executable },
    keychain,
    sharp,
    photo,
    fuses,
  };
  writeFileSync(input.request.report, `${JSON.stringify(report, null, 2)}\n`);
  input.log.info('smoke report written', { ok: report.ok, failures });
  return report;
}

async function checkKeychain({ cipher, core }: SmokeInput): Promise<SmokeReport['keychain']> {
  const vaultStorage = core.getState().account.storage;
  try {
    const available = await cipher.isAvailable();
    const probe = `loupe smoke ${randomUUID()}`;
    const decrypted = available ? await cipher.decrypt(await cipher.encrypt(probe)) : null;
    const plain = typeof decrypted === 'string' ? decrypted : decrypted?.result;
    return { available, backend: cipher.backend(), keyTag: cipher.keyTag(), roundTrip: plain === probe, vaultStorage };
  } catch (error) {
    return { available: false, backend: 'unknown', keyTag: null, roundTrip: false, vaultStorage, error: describeError(error) };
  }
}

async function checkSharp(expected: ImageBackend): Promise<SmokeReport['sharp']> {
  try {
    // The instance the core loaded (one module per process), and the binding it required.
    const sharp = (await import('sharp')).default;
    const require = createRequire(import.meta.url);
    const loaded = Object.keys(require.cache);
    const binding = loaded.find((path) => path.endsWith('.node') && /sharp/.test(path)) ?? loaded.find((path) => /sharp-wasm32/.test(path)) ?? null;
    const module = require.resolve('sharp');
    return {
      expected,
      loaded: loadedImageBackend(sharp.versions),
      module,
      binding,
      insideAsar: [module, binding].every((path) => path !== null && path.includes(`app.asar${sep}`)),
      concurrency: sharp.concurrency(),
      versions: { ...sharp.versions },
    };
  } catch (error) {
    return { expected, loaded: null, module: null, binding: null, insideAsar: false, concurrency: null, versions: {}, error: describeError(error) };
  }
}

async function checkPhoto(input: SmokeInput, path: string): Promise<SmokeReport['photo']> {
  const { core, log } = input;
  try {
    const staged = waitForState(core, (state) => state.analysis.staged.some((item) => item.path === path), input.setTimeout);
    await core.stageOffered([path]);
    await staged;
    const result = await dispatchCommand(core, 'analysis.getStagedThumbnails', { paths: [path] }, log);
    const thumbnail = result.ok ? (result.value as { thumbnails: StagedThumbnail[] }).thumbnails[0] : undefined;
    const previewBytes = thumbnail?.src ? Buffer.from(thumbnail.src.split(',')[1] ?? '', 'base64').length : 0;
    return { path, staged: true, previewBytes, problem: thumbnail?.problem ?? (result.ok ? null : result.error.message) };
  } catch (error) {
    return { path, staged: false, previewBytes: 0, problem: null, error: describeError(error) };
  }
}

function waitForState(core: Core, done: (state: AppState) => boolean, setTimeout: SmokeInput['setTimeout']): Promise<void> {
  return new Promise((resolve, reject) => {
    if (done(core.getState())) return resolve();
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`the photo was not staged within ${STAGE_WAIT_MS / 1000} s`));
    }, STAGE_WAIT_MS);
    const unsubscribe = core.subscribe((state) => {
      if (!done(state)) return;
      timer.cancel();
      unsubscribe();
      resolve();
    });
  });
}

const FUSE_STATES: Record<number, FuseState> = { 48: 'disabled', 49: 'enabled', 114: 'removed', 144: 'inherit' };

/** `@electron/fuses read` on the running binary (on macOS the path inside the .app; the library finds the framework). */
async function readFuses(executable: string): Promise<SmokeReport['fuses']> {
  try {
    // CommonJS whose enum is re-exported through __exportStar, which ESM's named-export detection misses.
    const fuses = createRequire(import.meta.url)('@electron/fuses') as typeof import('@electron/fuses');
    const wire = await fuses.getCurrentFuseWire(executable);
    const named: Record<string, FuseState> = {};
    for (const [index, state] of Object.entries(wire)) {
      if (index === 'version') continue;
      const name = (fuses.FuseV1Options as unknown as Record<string, string | undefined>)[index] ?? `fuse${index}`;
      named[name] = FUSE_STATES[Number(state)] ?? 'unknown';
    }
    return { read: true, wire: named };
  } catch (error) {
    return { read: false, wire: {}, error: describeError(error) };
  }
}
