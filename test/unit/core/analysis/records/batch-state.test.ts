import { expect, it } from 'vitest';
import { type BatchState, hasOpenBatch, inOpenBatch } from '../../../../../electron/core/analysis/records/batch-state';

const state: BatchState = {
  version: 1,
  parts: [
    { customIds: ['i1', 'i2'], fileId: 'f1', batchId: 'b1' },
    { customIds: ['i3'], fileId: 'f2', batchId: 'b2', collected: true },
    // Uploaded, never made a batch: nothing runs at OpenAI.
    { customIds: ['i4'], fileId: 'f3' },
  ],
};

it('a batch is open from its creation until it is collected', () => {
  expect(hasOpenBatch(state)).toBe(true);
  expect(hasOpenBatch({ version: 1, parts: state.parts.slice(1) })).toBe(false);
  expect(hasOpenBatch(undefined)).toBe(false);
});

it('photos of an open batch, and copies waiting for one, may still be answered', () => {
  const open = inOpenBatch(state);
  expect(['i1', 'i2', 'i3', 'i4', 'i5'].map((id) => open({ id }))).toEqual([true, true, false, false, false]);
  expect(open({ id: 'i9', duplicateOf: 'i2' })).toBe(true);
  expect(open({ id: 'i9', duplicateOf: 'i3' })).toBe(false);
  expect(inOpenBatch(undefined)({ id: 'i1' })).toBe(false);
});
