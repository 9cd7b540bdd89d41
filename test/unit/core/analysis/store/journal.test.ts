import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Journal, replay } from '../../../../../electron/core/analysis/store/journal';
import type { ItemDocument } from '../../../../../electron/core/analysis/records/item-document';
import type { ItemRecord } from '../../../../../electron/core/analysis/records/item-record';
import type { JobRecord } from '../../../../../electron/core/analysis/records/job-record';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const item = (id: string, status: ItemRecord['status'], extra: Partial<ItemRecord> = {}): ItemRecord => ({
  id,
  path: `/p/${id}.jpg`,
  status,
  ...extra,
});
const doc = (id: string) => ({ loupe: { version: 1, job_id: 'j', item_id: id }, status: 'ok', result: { n: id } }) as unknown as ItemDocument;
const record = (items: ItemRecord[], extra: Partial<JobRecord> = {}): JobRecord => ({
  version: 1,
  id: 'j',
  name: 'j',
  createdAt: 0,
  status: 'running',
  spec: {} as JobRecord['spec'],
  tokens: { input: 0, output: 0 },
  items,
  ...extra,
});

it('appends entries in order, each acknowledged once on disk, numbered from where the snapshot left off', async () => {
  const path = join(dir, 'j.journal.jsonl');
  const journal = new Journal(path, 7);
  // A burst: all appended before any write finished; all resolve, in one file, in order.
  await Promise.all([1, 2, 3].map((n) => journal.append({ k: 'written', ids: [`i${n}`], csvEnd: n * 10 })));
  await journal.close();
  const lines = (await readFile(path, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(lines.map((l) => [l.seq, l.ids[0]])).toEqual([
    [8, 'i1'],
    [9, 'i2'],
    [10, 'i3'],
  ]);
  expect((await Journal.read(path, 8)).map((e) => e.seq)).toEqual([9, 10]);
});

it('a torn last line (killed mid-append) is cut off, and the next append starts on a clean line', async () => {
  const path = join(dir, 'j.journal.jsonl');
  const journal = new Journal(path, 0);
  await journal.append({ k: 'written', ids: ['i1'], csvEnd: 10 });
  await journal.close();
  await appendFile(path, '{"k":"written","ids":["i2"],"cs');
  expect((await Journal.read(path, 0)).map((e) => e.seq)).toEqual([1]);
  const again = new Journal(path, 1);
  await again.append({ k: 'written', ids: ['i3'], csvEnd: 30 });
  await again.close();
  expect((await Journal.read(path, 0)).map((e) => (e.k === 'written' ? e.ids[0] : ''))).toEqual(['i1', 'i3']);
});

it('replay: item states over the snapshot, answers without a "written" entry left in the outbox, entries the snapshot holds skipped', () => {
  const snapshot = record([item('i1', 'pending'), item('i2', 'pending'), item('i3', 'failed')], { seq: 2, csvEnd: 100, csvStale: true });
  const entries = [
    // Older than the snapshot: must not undo it.
    { seq: 2, k: 'item' as const, item: item('i3', 'pending'), tokens: { input: 0, output: 0 } },
    { seq: 3, k: 'item' as const, item: item('i1', 'done', { outputFile: 'i1.json' }), tokens: { input: 5, output: 1 }, doc: doc('i1') },
    { seq: 4, k: 'item' as const, item: item('i2', 'done', { outputFile: 'i2.json' }), tokens: { input: 10, output: 2 }, doc: doc('i2') },
    { seq: 5, k: 'written' as const, ids: ['i1'], csvEnd: 150 },
    { seq: 6, k: 'job' as const, status: 'running' as const },
  ];
  const replayed = replay(
    snapshot,
    entries.filter((e) => e.seq > 2),
  );
  expect(replayed.items.map((i) => i.status)).toEqual(['done', 'done', 'failed']);
  expect(replayed.tokens).toEqual({ input: 10, output: 2 });
  expect(replayed.outbox).toEqual([{ id: 'i2', doc: doc('i2'), file: 'i2.json' }]);
  expect(replayed.csvEnd).toBe(150);
  expect(replayed.seq).toBe(6);
  expect(replayed.csvStale).toBe(true);
  expect(replay(replayed, [{ seq: 7, k: 'csv', csvEnd: 40 }])).toMatchObject({ csvEnd: 40 });
  expect(replayed.csvStale).toBeUndefined();
});

it('is emptied after a snapshot only when nothing newer was appended meanwhile', async () => {
  const path = join(dir, 'j.journal.jsonl');
  const journal = new Journal(path, 0);
  await journal.append({ k: 'written', ids: ['i1'], csvEnd: 1 });
  const snapshotAt = journal.seq;
  await journal.append({ k: 'written', ids: ['i2'], csvEnd: 2 });
  expect(await journal.truncateIfAt(snapshotAt)).toBe(false);
  expect(await Journal.read(path, 0)).toHaveLength(2);
  expect(await journal.truncateIfAt(journal.seq)).toBe(true);
  await journal.append({ k: 'written', ids: ['i3'], csvEnd: 3 });
  await journal.close();
  expect((await Journal.read(path, 0)).map((e) => e.seq)).toEqual([3]);
  await writeFile(path, '');
  expect(await Journal.read(path, 0)).toEqual([]);
});
