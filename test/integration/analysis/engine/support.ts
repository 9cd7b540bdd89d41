/** Shared by the engine tests: temp folders, an engine per test, request-body helpers. */
import {
  type EngineHarness,
  type SignedIn,
  imageWidth,
  openEngine,
  responsesRequests,
  signedInStandIns,
  tempDir,
} from '../../../support/analysis-fixture';
import { afterAll, afterEach, beforeAll } from 'vitest';

export const MODEL = 'gpt-6.1-sol';
export const cleanups: Array<() => Promise<void>> = [];

/** Undoes each test's temp folders and engines after it. */
export function useEngineCleanups(): void {
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
}

/**
 * One signed-in stand-in stack for a describe block, handed to `use` once it is
 * up; closed after the block. `resetFaults`: queued faults are cleared after each test.
 */
export function useSignedInStandIns(
  options: Parameters<typeof signedInStandIns>[0],
  use: (signedIn: SignedIn) => void,
  { resetFaults = false } = {},
): void {
  let signedIn: SignedIn | undefined;
  beforeAll(async () => {
    signedIn = await signedInStandIns(options);
    use(signedIn);
  });
  afterAll(async () => {
    await signedIn?.close();
  });
  if (resetFaults) afterEach(() => signedIn?.stack.api.faults.reset());
}

export async function dirs() {
  const photos = await tempDir('loupe-photos-');
  const out = await tempDir('loupe-out-');
  const data = await tempDir('loupe-data-');
  cleanups.push(photos.remove, out.remove, data.remove);
  return { photos: photos.path, out: out.path, data: data.path };
}

export async function engineFor(s: SignedIn, dataDir: string, overrides: Parameters<typeof openEngine>[2] = {}): Promise<EngineHarness> {
  const h = await openEngine(s, dataDir, overrides);
  cleanups.push(() => h.engine.dispose());
  return h;
}

export type Body = {
  model: string;
  instructions?: string;
  input: Array<{ role: string; type?: string; content: Array<{ type: string; text?: string; image_url?: string; detail?: string }> }>;
  store: boolean;
  stream: boolean;
  text?: { format?: { type: string; name: string; strict: boolean; schema: Record<string, unknown> } };
};
export const bodyOf = (r: { body?: unknown }): Body => r.body as Body;

/** Successful requests per photo (by its unique width). */
export function successesByWidth(records: ReturnType<typeof responsesRequests>): Map<number, number> {
  const counts = new Map<number, number>();
  for (const r of records) if (r.status === 200) counts.set(imageWidth(r)!, (counts.get(imageWidth(r)!) ?? 0) + 1);
  return counts;
}
