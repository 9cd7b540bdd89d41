import { expect, it } from 'vitest';
import { type ItemRecord, normaliseItem } from '../../../../../electron/core/analysis/records/item-record';

const item = (over: Partial<ItemRecord>): ItemRecord => ({ id: 'i1', path: '/p/1.jpg', status: 'done', ...over });

it('an answer saved as done with its parse error (before "unparsed" was a status) is unparsed; nothing else changes', () => {
  expect(normaliseItem(item({ parseError: 'not JSON' }))).toEqual(item({ status: 'unparsed', parseError: 'not JSON' }));
  expect(normaliseItem(item({}))).toEqual(item({}));
  expect(normaliseItem(item({ status: 'failed', parseError: 'x' })).status).toBe('failed');
  expect(normaliseItem(item({ status: 'unparsed', parseError: 'x' })).status).toBe('unparsed');
});
