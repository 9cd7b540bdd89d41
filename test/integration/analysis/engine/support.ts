/** Shared by the engine tests: temp folders, an engine per test, request-body helpers. */
import { type EngineHarness, type SignedIn, imageWidth, openEngine, responsesRequests, tempDir } from '../../../support/analysis-fixture';
import { afterEach } from 'vitest';

export const MODEL = 'gpt-6.1-sol';
export const cleanups: Array<() => Promise<void>> = [];

/** Undoes each test's temp folders and engines after it. */
export function useEngineCleanups(): void {
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
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
