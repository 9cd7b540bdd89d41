/** Large files serialised a slice at a time hold the same JSON as in one go, and an array's slices read back a slice at a time. */
import { expect, it } from 'vitest';
import { buildSummary, summaryChunks } from '../../../../../electron/core/analysis/output/results';
import { SLICE, jsonArrayChunks, parseJsonArraySlices } from '../../../../../electron/core/analysis/files/write-atomic-async';
import type { ItemRecord, JobRecord } from '../../../../../electron/core/analysis/records/job-record';

async function text(chunks: AsyncIterable<string>): Promise<string> {
  let all = '';
  for await (const chunk of chunks) all += chunk;
  return all;
}

const items = (n: number): ItemRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `i${i + 1}`,
    path: `/p/"odd"\n${i + 1}.jpg`,
    status: i % 4 === 0 ? 'failed' : 'done',
    hash: 'ab'.repeat(32),
    outputFile: `${i + 1}.json`,
    ...(i % 4 === 0 ? { error: { code: 'x', message: 'a "quoted"\nline' } } : {}),
    ...(i % 5 === 1 ? { duplicateOf: 'i1' } : {}),
  }));
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

it('an array in slices is the text JSON.stringify gives with a line break between slices, and reads back the same', async () => {
  for (const n of [0, 1, SLICE, 4500]) {
    const list = items(n);
    const written = await text(jsonArrayChunks(list));
    expect(written.replaceAll(',\n', ',')).toBe(JSON.stringify(list));
    expect(written.split('\n')).toHaveLength(Math.max(1, Math.ceil(n / SLICE)));
    expect(JSON.parse(written)).toEqual(list);
    expect(await parseJsonArraySlices(written)).toEqual(list);
  }
  // Files from before the line breaks (one line) read the same.
  expect(await parseJsonArraySlices(JSON.stringify(items(4500)))).toEqual(items(4500));
});

it('reads a large array a slice at a time, letting other work run in between', async () => {
  const written = await text(jsonArrayChunks(items(5 * SLICE)));
  let turns = 0;
  let counting = true;
  const tick = (): void => {
    turns++;
    if (counting) setImmediate(tick);
  };
  setImmediate(tick);
  const parsed = await parseJsonArraySlices(written);
  counting = false;
  expect(parsed).toHaveLength(5 * SLICE);
  // One JSON.parse of the whole text would let no turn run before it returns.
  expect(turns).toBeGreaterThanOrEqual(4);
});

it('refuses what is not such an array', async () => {
  for (const bad of ['{"a":1}', '[1,2', '[{"a":1},\n{"a":', '[1,\n2,\n{]', 'null', '"x"'])
    await expect(parseJsonArraySlices(bad)).rejects.toBeInstanceOf(SyntaxError);
});
