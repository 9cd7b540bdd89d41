import { expect, it } from 'vitest';
import { itemView } from '../../../../../electron/core/analysis/job/item-view';
import type { ItemDocument } from '../../../../../electron/core/analysis/records/item-document';
import type { ItemRecord } from '../../../../../electron/core/analysis/records/item-record';

const doc = (over: Partial<ItemDocument>) => over as ItemDocument;

it('shows the record, the status it may show, the thumbnail held, and the result read from its file', async () => {
  const item: ItemRecord = { id: 'i1', path: '/p/a.jpg', status: 'done', hash: 'h', outputFile: 'a.json', attempts: 2, duplicateOf: 'i0' };
  let reads = 0;
  const view = await itemView(item, {
    status: 'in_flight',
    thumbnail: 'data:x',
    document: async () => (reads++, doc({ result: { n: 1 } })),
  });
  expect(view).toEqual({
    id: 'i1',
    path: '/p/a.jpg',
    name: 'a.jpg',
    status: 'in_flight',
    thumbnail: 'data:x',
    hash: 'h',
    outputFile: 'a.json',
    duplicateOf: 'i0',
    attempts: 2,
    result: { n: 1 },
  });
  expect(reads).toBe(1);
});

it('an unreadable answer shows its raw text and why; a waiting photo reads no file', async () => {
  const unparsed = await itemView(
    { id: 'i2', path: '/p/b.jpg', status: 'unparsed', parseError: 'not JSON', outputFile: 'b.json' },
    { status: 'unparsed', thumbnail: undefined, document: async () => doc({ result: null, raw_text: 'Sure!' }) },
  );
  expect(unparsed).toMatchObject({ status: 'unparsed', parseError: 'not JSON', rawText: 'Sure!' });
  expect(unparsed).not.toHaveProperty('result');
  const waiting = await itemView(
    { id: 'i3', path: '/p/c.jpg', status: 'pending', error: { code: 'network', message: 'Retrying.' } },
    {
      status: 'pending',
      thumbnail: undefined,
      document: () => {
        throw new Error('a waiting photo has no file to read');
      },
    },
  );
  expect(waiting).toEqual({ id: 'i3', path: '/p/c.jpg', name: 'c.jpg', status: 'pending', error: { code: 'network', message: 'Retrying.' } });
});
