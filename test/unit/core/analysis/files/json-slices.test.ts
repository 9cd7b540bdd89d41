/** A list serialised a slice at a time holds the same JSON as in one go, and reads back a slice at a time. */
import { expect, it } from 'vitest';
import { SLICE, jsonArrayChunks, parseJsonArraySlices } from '../../../../../electron/core/analysis/files/json-slices';
import { awkwardItems, textOf } from '../../../../support/awkward-items';

const items = awkwardItems;
const text = textOf;

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
