import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { JobStore } from '../../../../../electron/core/analysis/store/job-store';
import type { ItemRecord } from '../../../../../electron/core/analysis/records/item-record';
import type { JobCounts } from '../../../../../electron/contract';
import type { JobRecord } from '../../../../../electron/core/analysis/records/job-record';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const quiet = { info() {}, warn() {}, error() {} };
const items = (n: number): ItemRecord[] =>
  Array.from({ length: n }, (_, i) => ({ id: `i${i + 1}`, path: `/p/${i + 1}.jpg`, status: i % 3 === 0 ? 'done' : 'pending' }));
const record = (id: string, list: ItemRecord[]): JobRecord => ({
  version: 1,
  id,
  name: id,
  createdAt: 1,
  status: 'paused',
  spec: { preset: 'describe', model: 'm', detail: 'low', concurrencyCap: 4, outputDir: '/out', paths: ['/p'] },
  tokens: { input: 0, output: 0 },
  items: list,
});
const counts = (total: number): JobCounts => ({ total, done: 2, failed: 0, skipped: 0, pending: total - 2, inFlight: 0, unparsed: 0, notRun: 0 });

it('a job at rest is read as its header and counts; its items come from their own file when asked for', async () => {
  const store = await JobStore.open(dir, quiet, () => 0);
  const list = items(5);
  await store.snapshot(record('job-a', list), list, () => ({ counts: counts(5), outbox: [] }));
  await store.flush();
  const names = await readdir(join(dir, 'jobs'));
  expect(names.sort()).toEqual(['job-a.items.0.json', 'job-a.json']);
  // The header holds no item: opening reads a few hundred bytes per job.
  expect(JSON.parse(await readFile(join(dir, 'jobs', 'job-a.json'), 'utf8'))).not.toHaveProperty('items');

  const again = await JobStore.open(dir, quiet, () => 0);
  const [stored] = (await again.loadAll()).jobs;
  expect(stored!.loaded).toBeUndefined();
  expect(stored!.counts).toEqual(counts(5));
  expect(stored!.record.name).toBe('job-a');
  expect(await again.loadItems(stored!.record)).toEqual(list);
  expect(again.atRest('job-a')).toBe(true);
});

it('a job with journal entries is read whole, the journal replayed; a newer snapshot replaces the older items file', async () => {
  const store = await JobStore.open(dir, quiet, () => 0);
  const list = items(3);
  await store.snapshot(record('job-b', list), list, () => ({ counts: counts(3), outbox: [] }));
  await store.journal('job-b').append({ k: 'item', item: { ...list[1]!, status: 'done' }, tokens: { input: 1, output: 1 } });
  expect(store.atRest('job-b')).toBe(false);
  await store.flush();

  const [stored] = (await (await JobStore.open(dir, quiet, () => 0)).loadAll()).jobs;
  expect(stored!.loaded).toBe(true);
  expect(stored!.record.items.map((i) => i.status)).toEqual(['done', 'done', 'pending']);

  const second = await JobStore.open(dir, quiet, () => 0);
  const [reread] = (await second.loadAll()).jobs;
  await second.snapshot(reread!.record, reread!.record.items, () => ({ counts: counts(3), outbox: [] }));
  await second.flush();
  expect((await readdir(join(dir, 'jobs'))).filter((n) => n.includes('.items.'))).toEqual(['job-b.items.1.json']);
  expect(await readFile(join(dir, 'jobs', 'job-b.journal.jsonl'), 'utf8')).toBe('');
});

it('reads a job file from an older Loupe with its items inline', async () => {
  const store = await JobStore.open(dir, quiet, () => 0);
  await writeFile(join(store.dir, 'job-old.json'), JSON.stringify(record('job-old', items(2))));
  const [stored] = (await store.loadAll()).jobs;
  expect(stored!.loaded).toBe(true);
  expect(stored!.record.items).toHaveLength(2);
});

it('a header naming a missing items file is read (it may be the one a crash left); loading its items then fails', async () => {
  const store = await JobStore.open(dir, quiet, () => 0);
  const list = items(2);
  await store.snapshot(record('job-c', list), list, () => ({ counts: counts(2), outbox: [] }));
  await store.flush();
  await rm(join(store.dir, 'job-c.items.0.json'));
  const again = await JobStore.open(dir, quiet, () => 0);
  const [stored] = (await again.loadAll()).jobs;
  await expect(again.loadItems(stored!.record)).rejects.toThrow();
});

it('reads items as Loupe saved them before "unparsed" was a status of its own: an answer done with its parse error is unparsed', async () => {
  const store = await JobStore.open(dir, quiet, () => 0);
  const older = (id: string): ItemRecord => ({ id, path: `/p/${id}.jpg`, status: 'done', parseError: 'not JSON' });
  // Inline in the header (the oldest shape), in an items file, and in a journal entry.
  await writeFile(
    join(store.dir, 'job-inline.json'),
    JSON.stringify(record('job-inline', [older('i1'), { id: 'i2', path: '/p/i2.jpg', status: 'done' }])),
  );
  const list = [older('i1'), { id: 'i2', path: '/p/i2.jpg', status: 'pending' as const }];
  await store.snapshot(record('job-file', list), list, () => ({ counts: counts(2), outbox: [] }));
  await store.journal('job-file').append({ k: 'item', item: older('i2'), tokens: { input: 1, output: 1 } });
  await store.flush();

  const jobs = (await (await JobStore.open(dir, quiet, () => 0)).loadAll()).jobs;
  const statuses = Object.fromEntries(jobs.map((j) => [j.record.id, j.record.items.map((i) => i.status)]));
  expect(statuses).toEqual({ 'job-inline': ['unparsed', 'done'], 'job-file': ['unparsed', 'unparsed'] });
  expect(jobs[0]!.record.items[0]!.parseError).toBe('not JSON');

  // A job at rest: its items file read when asked for.
  const lazy = await JobStore.open(dir, quiet, () => 0);
  const atRest = record('job-rest', [older('i1')]);
  await lazy.snapshot(atRest, atRest.items, () => ({ counts: counts(1), outbox: [] }));
  await lazy.flush();
  const rest = await JobStore.open(dir, quiet, () => 0);
  const stored = (await rest.loadAll()).jobs.find((j) => j.record.id === 'job-rest')!;
  expect((await rest.loadItems(stored.record)).map((i) => i.status)).toEqual(['unparsed']);
});
