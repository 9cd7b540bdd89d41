import { expect, it } from 'vitest';
import { ContentClaims } from '../../../../../electron/core/analysis/job/content-claims';
import type { ItemRecord } from '../../../../../electron/core/analysis/records/item-record';

const HASH = 'cd'.repeat(32);
const item = (id: string, over: Partial<ItemRecord> = {}): ItemRecord => ({ id, path: `/p/${id}.jpg`, status: 'pending', ...over });

it('what earlier runs settled keeps its content and file name; waiting photos own nothing', () => {
  const claims = new ContentClaims([
    item('i1', { status: 'done', hash: HASH, outputFile: 'i1-cdcdcdcd.json' }),
    item('i2', { status: 'pending', hash: 'ef'.repeat(32), outputFile: 'i2-efefefef.json' }),
    item('i3', { status: 'done', hash: HASH, duplicateOf: 'i1' }),
    item('i4', { status: 'not_run', hash: '01'.repeat(32) }),
  ]);
  expect(claims.ownerOf(HASH)).toBe('i1');
  expect(claims.ownerOf('ef'.repeat(32))).toBeUndefined();
  expect(claims.ownerOf('01'.repeat(32))).toBeUndefined();
  // i2's name stays taken although it waits: a photo with the same name and content gets its id appended.
  expect(claims.claim(item('i9', { path: '/q/i2.jpg' }), 'ef'.repeat(32))).toBe('i2-efefefef-i9.json');
});

it('names a result file after the photo and its content, once, and never gives one name to two photos', () => {
  const claims = new ContentClaims([]);
  const a = item('i1', { path: '/p/same.jpg' });
  const b = item('i2', { path: '/q/same.jpg' });
  expect(claims.claim(a, HASH)).toBe('same-cdcdcdcd.json');
  expect(claims.claim({ ...a, outputFile: 'kept.json' }, HASH)).toBe('kept.json');
  expect(claims.claim(b, HASH)).toBe('same-cdcdcdcd-i2.json');
  // A photo changed since it was named frees the name.
  claims.release({ ...a, outputFile: 'same-cdcdcdcd.json' });
  expect(claims.claim(item('i3', { path: '/r/same.jpg' }), HASH)).toBe('same-cdcdcdcd.json');
});

it('copies wait for their original and are let go when it settles, or when they are released themselves', async () => {
  const claims = new ContentClaims([]);
  claims.own(HASH, 'i1');
  const settled: string[] = [];
  void claims.wait('i1', 'i2').then(() => settled.push('i2'));
  void claims.wait('i1', 'i3').then(() => settled.push('i3'));
  claims.stopWaiting('i3');
  const waiters = claims.takeWaiters('i1');
  expect(waiters.map((w) => w.id)).toEqual(['i2']);
  for (const w of waiters) w.resolve();
  await Promise.resolve();
  expect(settled).toEqual(['i2']);
  expect(claims.takeWaiters('i1')).toEqual([]);
});

it('after a restart a photo already in a batch owns its content and name', () => {
  const claims = new ContentClaims([]);
  claims.adopt(item('i5', { hash: HASH, outputFile: 'i5-cdcdcdcd.json' }));
  expect(claims.ownerOf(HASH)).toBe('i5');
  expect(claims.claim(item('i6', { path: '/x/i5.jpg' }), HASH)).toBe('i5-cdcdcdcd-i6.json');
});
