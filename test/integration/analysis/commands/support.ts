/** Shared by the analysis-through-commands tests: stand-ins, a core per test, and small waits on state. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import type { RequestRecord } from '../../../servers/openai/openai-api';
import { type StandIns, startStandIns } from '../../../servers/stack';
import { type CoreFixture, createCoreFixture, waitForState } from '../../../support/core-fixture';
import type { AppState, CommandInput, JobDetailView, JobSummaryView } from '../../../../electron/contract';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { imageWidth } from '../../../support/analysis-fixture';
import { within } from '../../../support/within';

export const API_KEY = 'sk-test-analysis-commands-0123456789abcdef';
export const MODEL = 'gpt-6.1-sol';
export const GOOD = fileURLToPath(new URL('../../../fixtures/good/', import.meta.url)).replace(/[\\/]$/, '');
export const GOOD_FILES = ['01-sunset.jpg', '02-meadow.webp', '03-portrait.jpg', '04-shapes.png', '05-harbour.webp'];
export const good = (name: string) => join(GOOD, name);

export let stack: StandIns;
export const cleanups: Array<() => Promise<void>> = [];

/** One set of stand-ins per test file; each test's core, folders and faults are undone after it. */
export function useAnalysisStandIns(): void {
  beforeAll(async () => {
    stack = await startStandIns({ api: { apiKeys: [API_KEY] } });
  });
  afterAll(async () => {
    await stack.close();
  });
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
    stack.api.faults.reset();
    stack.api.setLatency(0);
  });
}

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface Harness {
  fx: CoreFixture;
  documentsDir: string;
  notifications: Array<{ title: string; body: string }>;
  /** What the next "open files" dialog returns. */
  picks: string[];
  pickCalls: number;
  /** What the next "save as" dialog returns (null = cancelled). */
  savePath: string | null;
  saveDefaults: string[];
  openedPaths: string[];
}

export async function setup(): Promise<Harness> {
  const documentsDir = await tempDir('loupe-docs-');
  const h = { documentsDir, notifications: [], picks: [], pickCalls: 0, savePath: null, saveDefaults: [], openedPaths: [] } as unknown as Harness;
  h.fx = await createCoreFixture(stack, {
    // Cancel at once here; the undo window is tested in job-actions.test.ts.
    options: { analysisTuning: { backoffBaseMs: 40, backoffMaxMs: 400 }, cancelGraceMs: 0 },
    deps: {
      documentsDir,
      notify: (title, body) => void h.notifications.push({ title, body }),
      pickFiles: async () => {
        h.pickCalls++;
        return h.picks;
      },
      pickSavePath: async (defaultName) => {
        h.saveDefaults.push(defaultName);
        return h.savePath;
      },
      openPath: async (path) => void h.openedPaths.push(path),
    },
  });
  cleanups.push(() => h.fx.dispose());
  return h;
}

export type RunResult = Awaited<ReturnType<CoreFixture['run']>>;

export function ok<T = unknown>(result: RunResult): T {
  expect(result.error, JSON.stringify(result.error)).toBeUndefined();
  expect(result.ok).toBe(true);
  return result.value as T;
}

export async function addKey(fx: CoreFixture, extra: { useChatCompletions?: boolean; label?: string } = {}): Promise<string> {
  const { accountId } = ok<{ accountId: string }>(
    await fx.run('accounts.addApiKey', { label: 'Key', baseUrl: stack.endpoints.apiBase, apiKey: API_KEY, ...extra }),
  );
  await waitForState(fx.core, (s) => s.account.id === accountId && s.models.status === 'ready' && s.models.selected !== null);
  return accountId;
}

export const jobIn = (s: AppState, id: string) => s.analysis.jobs.find((j) => j.id === id);

export async function waitForJob(
  fx: CoreFixture,
  id: string,
  predicate: (job: JobSummaryView) => boolean,
  timeoutMs = 20_000,
): Promise<JobSummaryView> {
  const state = await waitForState(
    fx.core,
    (s) => {
      const job = jobIn(s, id);
      return job !== undefined && predicate(job);
    },
    timeoutMs,
  );
  return jobIn(state, id)!;
}

export async function stage(fx: CoreFixture, paths: string[]): Promise<void> {
  ok(await fx.drop({ paths }));
  await waitForState(fx.core, (s) => paths.every((p) => s.analysis.staged.some((x) => x.path === p)));
}

export async function start(fx: CoreFixture, input: CommandInput<'analysis.start'>): Promise<string> {
  return ok<{ jobId: string }>(await fx.run('analysis.start', input)).jobId;
}

export async function getJob(fx: CoreFixture, jobId: string): Promise<JobDetailView> {
  return ok<JobDetailView>(await fx.run('analysis.getJob', { jobId }));
}

export const inferenceRequests = (since = 0): RequestRecord[] =>
  stack.api.requests.slice(since).filter((r) => r.method === 'POST' && (r.path.endsWith('/responses') || r.path.endsWith('/chat/completions')));
export const responsesSince = (since: number) => inferenceRequests(since).filter((r) => r.path.endsWith('/responses'));

/** Resolves once the stand-in has received a request satisfying `predicate`. */
export async function waitForRequest(predicate: (r: RequestRecord) => boolean, timeoutMs = 10_000): Promise<void> {
  await within(
    stack.api.whenRequests((requests) => requests.some(predicate)),
    timeoutMs,
    'the expected request',
  );
}

export const widthIn = (from: number, count: number) => (r: RequestRecord) => {
  const w = imageWidth(r);
  return w !== undefined && w >= from && w < from + count;
};
