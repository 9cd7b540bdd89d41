import { describe, expect, it } from 'vitest';
import { itemDocument, settleAsDuplicate } from '../../../../../electron/core/analysis/job/result-document';
import type { ItemDocument } from '../../../../../electron/core/analysis/records/item-document';
import type { ItemRecord } from '../../../../../electron/core/analysis/records/item-record';
import type { JobRecord } from '../../../../../electron/core/analysis/records/job-record';

const unprepared = (): ItemRecord => ({ id: 'i2', path: '/p/b.jpg', status: 'pending' });
const record = { id: 'job-1', spec: { model: 'gpt-4.1', preset: 'describe' } } as JobRecord;
const item = (over: Partial<ItemRecord> = {}): ItemRecord => ({
  id: 'i2',
  path: '/p/b.jpg',
  size: 1234,
  status: 'in_flight',
  hash: 'ab'.repeat(32),
  ...over,
});

describe('itemDocument', () => {
  it('says who wrote it, the source, what was sent (sizes only), model, timing and the outcome given', () => {
    const doc = itemDocument(
      record,
      item({ startedAt: Date.UTC(2026, 0, 1), finishedAt: Date.UTC(2026, 0, 1, 0, 0, 2), attempts: 2, requestId: 'req_1' }),
      { source: { width: 4000, height: 3000, format: 'jpeg' }, sent: { mime: 'image/jpeg', width: 1536, height: 1152, bytes: 99, detail: 'high' } },
      0,
      { status: 'ok', result: { a: 1 } },
    );
    expect(doc).toEqual({
      loupe: { version: 1, job_id: 'job-1', item_id: 'i2' },
      source: { path: '/p/b.jpg', name: 'b.jpg', bytes: 1234, sha256: 'ab'.repeat(32), width: 4000, height: 3000, format: 'jpeg' },
      sent: { mime: 'image/jpeg', width: 1536, height: 1152, bytes: 99, detail: 'high' },
      model: 'gpt-4.1',
      preset: 'describe',
      started_at: '2026-01-01T00:00:00.000Z',
      finished_at: '2026-01-01T00:00:02.000Z',
      attempts: 2,
      usage: null,
      request_id: 'req_1',
      status: 'ok',
      result: { a: 1 },
    });
  });

  it('a photo never prepared has no sizes and no start; it finished now', () => {
    const doc = itemDocument(record, unprepared(), undefined, Date.UTC(2026, 1, 2), { status: 'failed', result: null });
    expect(doc).toMatchObject({ source: { bytes: null, sha256: '' }, started_at: null, finished_at: '2026-02-02T00:00:00.000Z', attempts: 0 });
    expect(doc).not.toHaveProperty('sent');
  });
});

describe('settleAsDuplicate', () => {
  const ownerDoc = { result: { a: 1 }, raw_text: 'raw' } as ItemDocument;

  it('a copy of an answered photo takes its answer, readable or not, named after it; nothing is paid for it', () => {
    const copy = item({ status: 'pending', duplicateOf: 'i1' });
    const owner: ItemRecord = { id: 'i1', path: '/p/a.jpg', status: 'done', outputFile: 'a-ab.json' };
    expect(settleAsDuplicate(copy, owner, ownerDoc, 50)).toEqual({
      status: 'duplicate',
      result: { a: 1 },
      raw_text: 'raw',
      duplicate_of: { item_id: 'i1', path: '/p/a.jpg', output_file: 'a-ab.json' },
      usage: null,
    });
    expect(copy).toMatchObject({ status: 'done', finishedAt: 50, startedAt: 50 });

    const unreadable = item({ status: 'pending' });
    settleAsDuplicate(unreadable, { ...owner, status: 'unparsed', parseError: 'not JSON' }, { result: null } as ItemDocument, 60);
    expect(unreadable).toMatchObject({ status: 'unparsed', parseError: 'not JSON' });
  });

  it('a copy of a failed photo fails the same way, saying which photo', () => {
    const copy = item({ status: 'pending' });
    const fields = settleAsDuplicate(
      copy,
      { id: 'i1', path: '/p/a.jpg', status: 'failed', error: { code: 'invalid_request', message: 'Bad image.' } },
      undefined,
      70,
    );
    expect(copy).toMatchObject({ status: 'failed', error: { code: 'invalid_request', message: 'Same photo as /p/a.jpg, which failed: Bad image.' } });
    expect(fields).toMatchObject({ status: 'failed', result: null, error: copy.error, duplicate_of: { output_file: null } });
  });
});
