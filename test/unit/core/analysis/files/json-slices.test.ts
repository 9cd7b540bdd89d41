/** A list serialised a slice at a time holds the same JSON as in one go, and reads back a slice at a time. */
import { expect, it } from 'vitest';
import { SLICE, jsonArrayChunks, parseJsonArraySlices } from '../../../../../electron/core/analysis/files/json-slices';
import type { ItemRecord } from '../../../../../electron/core/analysis/records/item-record';

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
