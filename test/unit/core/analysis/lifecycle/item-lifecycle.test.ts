import { describe, expect, it } from 'vitest';
import { ITEM_STATUSES, type ItemStatus } from '../../../../../electron/contract';
import {
  ITEM_EVENT_TYPES,
  type ItemEvent,
  type ItemEventType,
  isAnswered,
  isOpen,
  isRemaining,
  isSettled,
  markNotRun,
  moveItem,
  nextItemStatus,
} from '../../../../../electron/core/analysis/lifecycle/item-lifecycle';
import type { ItemRecord } from '../../../../../electron/core/analysis/records/item-record';

/** One event of each kind; `answer` and `retry` come in two flavours below. */
const EVENTS: Record<ItemEventType, ItemEvent> = {
  send: { type: 'send' },
  answer: { type: 'answer', parsed: true },
  fail: { type: 'fail' },
  retryLater: { type: 'retryLater' },
  release: { type: 'release' },
  recover: { type: 'recover' },
  retry: { type: 'retry', items: 'failed' },
  notRun: { type: 'notRun' },
};

/** The status each event leads to from each status, or "no" when it is refused (an outcome recorded twice). */
const EXPECTED: Record<ItemStatus, Record<ItemEventType, ItemStatus | 'no'>> = {
  // prettier-ignore
  pending:   { send: 'in_flight', answer: 'done', fail: 'failed', retryLater: 'pending', release: 'pending',   recover: 'pending',   retry: 'pending',   notRun: 'not_run' },
  // prettier-ignore
  in_flight: { send: 'in_flight', answer: 'done', fail: 'failed', retryLater: 'pending', release: 'pending',   recover: 'pending',   retry: 'in_flight', notRun: 'not_run' },
  // prettier-ignore
  done:      { send: 'no',        answer: 'no',   fail: 'no',     retryLater: 'no',      release: 'done',      recover: 'done',      retry: 'done',      notRun: 'done' },
  // prettier-ignore
  unparsed:  { send: 'no',        answer: 'no',   fail: 'no',     retryLater: 'no',      release: 'unparsed',  recover: 'unparsed',  retry: 'unparsed',  notRun: 'unparsed' },
  // prettier-ignore
  failed:    { send: 'no',        answer: 'no',   fail: 'no',     retryLater: 'no',      release: 'failed',    recover: 'failed',    retry: 'pending',   notRun: 'failed' },
  // prettier-ignore
  skipped:   { send: 'no',        answer: 'no',   fail: 'no',     retryLater: 'no',      release: 'skipped',   recover: 'skipped',   retry: 'skipped',   notRun: 'skipped' },
  // prettier-ignore
  not_run:   { send: 'no',        answer: 'no',   fail: 'no',     retryLater: 'no',      release: 'not_run',   recover: 'not_run',   retry: 'not_run',   notRun: 'not_run' },
};

const item = (status: ItemStatus, extra: Partial<ItemRecord> = {}): ItemRecord => ({ id: 'i1', path: '/p/1.jpg', status, ...extra });

describe('the item lifecycle table', () => {
  it('covers every status and every event', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...ITEM_STATUSES].sort());
    for (const status of ITEM_STATUSES) expect(Object.keys(EXPECTED[status]).sort()).toEqual([...ITEM_EVENT_TYPES].sort());
  });

  for (const status of ITEM_STATUSES) {
    for (const type of ITEM_EVENT_TYPES) {
      it(`${status} + ${type} → ${EXPECTED[status][type]}`, () => {
        const next = nextItemStatus(status, EVENTS[type]);
        expect(next.ok ? next.status : 'no').toBe(EXPECTED[status][type]);
        const record = item(status);
        if (next.ok) expect(moveItem(record, EVENTS[type])).toBe(next.status !== status);
        else expect(() => moveItem(record, EVENTS[type])).toThrow(/can’t/);
        expect(record.status).toBe(next.ok ? next.status : status);
      });
    }
  }
});

describe('events with a flavour', () => {
  it('an answer not readable against the schema is unparsed, not done', () => {
    expect(nextItemStatus('in_flight', { type: 'answer', parsed: false })).toEqual({ ok: true, status: 'unparsed' });
    expect(nextItemStatus('pending', { type: 'answer', parsed: false })).toEqual({ ok: true, status: 'unparsed' });
  });

  it('retry takes only the photos asked for, and forgets their earlier outcome', () => {
    expect(nextItemStatus('unparsed', { type: 'retry', items: 'unparsed' })).toEqual({ ok: true, status: 'pending' });
    expect(nextItemStatus('failed', { type: 'retry', items: 'unparsed' })).toEqual({ ok: true, status: 'failed' });
    const record = item('unparsed', {
      parseError: 'bad',
      error: { code: 'x', message: 'y' },
      attempts: 2,
      finishedAt: 5,
      duplicateOf: 'i0',
      hash: 'h',
    });
    expect(moveItem(record, { type: 'retry', items: 'unparsed' })).toBe(true);
    expect(record).toEqual({ id: 'i1', path: '/p/1.jpg', status: 'pending', hash: 'h' });
  });
});

describe('groups of statuses', () => {
  it('names what each group holds', () => {
    const members = (test: (s: ItemStatus) => boolean) => ITEM_STATUSES.filter(test);
    expect(members(isOpen)).toEqual(['pending', 'in_flight']);
    expect(members(isAnswered)).toEqual(['done', 'unparsed']);
    expect(members(isSettled)).toEqual(['done', 'unparsed', 'failed']);
    expect(members(isRemaining)).toEqual(['pending', 'in_flight', 'failed', 'not_run']);
  });

  it('a cancelled job’s waiting photos are not run, but not those a batch still open may answer', () => {
    const items = [
      item('pending', { id: 'a' }),
      item('in_flight', { id: 'b' }),
      item('done', { id: 'c' }),
      item('pending', { id: 'd', duplicateOf: 'b' }),
    ];
    const batched = (i: ItemRecord) => i.id === 'b' || i.duplicateOf === 'b';
    expect(markNotRun(items, batched)).toBe(1);
    expect(items.map((i) => i.status)).toEqual(['not_run', 'in_flight', 'done', 'pending']);
  });
});
