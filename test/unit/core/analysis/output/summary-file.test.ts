/** summary.json written a slice of photos at a time holds the same JSON as in one go. */
import { expect, it } from 'vitest';
import { buildSummary, summaryChunks } from '../../../../../electron/core/analysis/output/summary-file';
import type { ItemRecord } from '../../../../../electron/core/analysis/records/item-record';
import { awkwardItems, textOf } from '../../../../support/awkward-items';
import type { JobRecord } from '../../../../../electron/core/analysis/records/job-record';

const items = awkwardItems;
const text = textOf;
const job = (list: ItemRecord[]): JobRecord => ({
  version: 1,
  id: 'job-1',
  name: 'Survey',
  createdAt: 0,
  status: 'done',
  spec: { preset: 'describe', model: 'm', detail: 'low', concurrencyCap: 4, outputDir: '/out', paths: ['/p'] },
  tokens: { input: 3, output: 4 },
  items: list,
});
const counts = { total: 1, done: 1 };
const now = async () => {};

it('summary.json in slices is the text JSON.stringify gives, with and without items, for any slice size', async () => {
  for (const n of [0, 1, 7, 25]) {
    const record = job(items(n));
    const whole = `${JSON.stringify(buildSummary(record, counts, 5, true), null, 2)}\n`;
    const pathOf = (id: string) => record.items.find((i) => i.id === id)?.path;
    for (const slice of [1, 3, 2000]) expect(await text(summaryChunks(record, counts, 5, true, pathOf, now, slice))).toBe(whole);
    expect(await text(summaryChunks(record, counts, 5, false, pathOf, now))).toBe(
      `${JSON.stringify(buildSummary(record, counts, 5, false), null, 2)}\n`,
    );
  }
});
