import { describe, expect, it } from 'vitest';
import { JOB_STATUSES, type JobCounts, type JobStatus } from '../../../../../electron/contract';
import {
  JOB_EVENT_TYPES,
  type JobEvent,
  type JobEventType,
  type JobFacts,
  applyJobChange,
  moveJob,
  remainingOf,
} from '../../../../../electron/core/analysis/lifecycle/job-lifecycle';
import type { JobRecord } from '../../../../../electron/core/analysis/records/job-record';

const counts = (over: Partial<JobCounts> = {}): JobCounts => ({
  total: 10,
  done: 4,
  failed: 2,
  skipped: 0,
  pending: 2,
  inFlight: 0,
  unparsed: 2,
  notRun: 0,
  ...over,
});

const REASON = { code: 'usage_limit', message: 'Limit reached.' };
const EVENTS: Record<JobEventType, JobEvent> = {
  start: { type: 'start', at: 5 },
  pause: { type: 'pause' },
  resume: { type: 'resume' },
  cancel: { type: 'cancel', grace: false, at: 7 },
  undoCancel: { type: 'undoCancel' },
  cancelForGood: { type: 'cancelForGood', at: 9 },
  stop: { type: 'stop', reason: REASON },
  finish: { type: 'finish', at: 11 },
  retry: { type: 'retry', items: 'failed' },
  recover: { type: 'recover', reason: { code: 'interrupted', message: 'Resume?' } },
  analyseRemaining: { type: 'analyseRemaining' },
  rename: { type: 'rename' },
  remove: { type: 'remove' },
};

/** What each event does in each status, with photos failed, unparsed and left: a status it moves to, "idle" (nothing to do) or "no" (refused). */
const EXPECTED: Record<JobStatus, Record<JobEventType, JobStatus | 'idle' | 'no'>> = {
  // prettier-ignore
  queued:    { start: 'running', pause: 'paused', resume: 'idle',   cancel: 'cancelled', undoCancel: 'no', cancelForGood: 'cancelled', stop: 'stopped', finish: 'idle', retry: 'no',     recover: 'idle',   analyseRemaining: 'no',        rename: 'queued',    remove: 'no' },
  // prettier-ignore
  running:   { start: 'running', pause: 'paused', resume: 'idle',   cancel: 'cancelled', undoCancel: 'no', cancelForGood: 'cancelled', stop: 'stopped', finish: 'done', retry: 'no',     recover: 'paused', analyseRemaining: 'no',        rename: 'running',   remove: 'no' },
  // prettier-ignore
  paused:    { start: 'no',      pause: 'idle',   resume: 'queued', cancel: 'cancelled', undoCancel: 'no', cancelForGood: 'cancelled', stop: 'idle',    finish: 'idle', retry: 'queued', recover: 'idle',   analyseRemaining: 'no',        rename: 'paused',    remove: 'no' },
  // prettier-ignore
  stopped:   { start: 'no',      pause: 'no',     resume: 'queued', cancel: 'cancelled', undoCancel: 'no', cancelForGood: 'cancelled', stop: 'idle',    finish: 'idle', retry: 'queued', recover: 'idle',   analyseRemaining: 'stopped',   rename: 'stopped',   remove: 'stopped' },
  // prettier-ignore
  done:      { start: 'no',      pause: 'no',     resume: 'no',     cancel: 'no',        undoCancel: 'no', cancelForGood: 'no',        stop: 'idle',    finish: 'idle', retry: 'queued', recover: 'idle',   analyseRemaining: 'no',        rename: 'done',      remove: 'done' },
  // prettier-ignore
  failed:    { start: 'no',      pause: 'no',     resume: 'no',     cancel: 'no',        undoCancel: 'no', cancelForGood: 'no',        stop: 'idle',    finish: 'idle', retry: 'queued', recover: 'idle',   analyseRemaining: 'no',        rename: 'failed',    remove: 'failed' },
  // prettier-ignore
  cancelled: { start: 'no',      pause: 'no',     resume: 'no',     cancel: 'idle',      undoCancel: 'no', cancelForGood: 'idle',      stop: 'idle',    finish: 'idle', retry: 'no',     recover: 'idle',   analyseRemaining: 'cancelled', rename: 'cancelled', remove: 'cancelled' },
};

const outcome = (facts: JobFacts, event: JobEvent): JobStatus | 'idle' | 'no' => {
  const move = moveJob(facts, event);
  if (!move.ok) return move.idle ? 'idle' : 'no';
  return move.change.status ?? facts.status;
};

describe('the job lifecycle table', () => {
  it('covers every status and every event', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...JOB_STATUSES].sort());
    for (const status of JOB_STATUSES) expect(Object.keys(EXPECTED[status]).sort()).toEqual([...JOB_EVENT_TYPES].sort());
  });

  for (const status of JOB_STATUSES) {
    for (const type of JOB_EVENT_TYPES) {
      it(`${status} + ${type} → ${EXPECTED[status][type]}`, () => {
        const move = moveJob({ status, counts: counts() }, EVENTS[type]);
        expect(outcome({ status, counts: counts() }, EVENTS[type])).toBe(EXPECTED[status][type]);
        // Every answer but a move carries a reason in words for a person.
        if (!move.ok) expect(move.reason).toMatch(/^[A-Z].+\.$/);
      });
    }
  }
});

describe('what an event changes besides the status', () => {
  it('start sets the first start and clears an old stop; finish is failed only when nothing was answered', () => {
    expect(moveJob({ status: 'queued', counts: counts() }, EVENTS.start)).toEqual({
      ok: true,
      change: { status: 'running', stopReason: null, finishedAt: null, startedAt: 5 },
    });
    expect(moveJob({ status: 'running', counts: counts({ done: 0, unparsed: 0, failed: 10 }) }, EVENTS.finish)).toEqual({
      ok: true,
      change: { status: 'failed', finishedAt: 11 },
    });
    // Unreadable answers were answered (and paid for): such a job is done, not failed.
    expect(outcome({ status: 'running', counts: counts({ done: 0, unparsed: 1, failed: 9 }) }, EVENTS.finish)).toBe('done');
    expect(moveJob({ status: 'running', counts: counts() }, EVENTS.stop)).toEqual({ ok: true, change: { status: 'stopped', stopReason: REASON } });
  });

  it('cancel with an undo window pauses an active job and remembers it was active; undo puts it back', () => {
    const grace: JobEvent = { type: 'cancel', grace: true, at: 7 };
    expect(moveJob({ status: 'running', counts: counts() }, grace)).toEqual({
      ok: true,
      change: { status: 'paused', cancelPending: { wasActive: true } },
    });
    expect(moveJob({ status: 'stopped', counts: counts() }, grace)).toEqual({ ok: true, change: { cancelPending: { wasActive: false } } });
    const pendingActive = { status: 'paused' as const, counts: counts(), cancelPending: { wasActive: true } };
    expect(moveJob(pendingActive, EVENTS.undoCancel)).toEqual({ ok: true, change: { cancelPending: null, status: 'queued', stopReason: null } });
    expect(moveJob({ ...pendingActive, cancelPending: { wasActive: false } }, EVENTS.undoCancel)).toEqual({
      ok: true,
      change: { cancelPending: null },
    });
    expect(moveJob(pendingActive, EVENTS.cancelForGood)).toEqual({ ok: true, change: { status: 'cancelled', finishedAt: 9, cancelPending: null } });
  });

  it('while a cancel can be undone, only Undo, renaming and the run’s own events get through', () => {
    const facts: JobFacts = { status: 'paused', counts: counts(), cancelPending: { wasActive: true } };
    const answers = Object.fromEntries(JOB_EVENT_TYPES.map((type) => [type, outcome(facts, EVENTS[type])]));
    expect(answers).toEqual({
      start: 'no',
      pause: 'no',
      resume: 'no',
      cancel: 'idle',
      undoCancel: 'queued',
      cancelForGood: 'cancelled',
      stop: 'idle',
      finish: 'idle',
      retry: 'no',
      recover: 'idle',
      analyseRemaining: 'no',
      rename: 'paused',
      remove: 'no',
    });
    expect(moveJob(facts, EVENTS.resume)).toMatchObject({ reason: 'This job is being cancelled.' });
  });

  it('retry with no such photo is nothing to do; analyse remaining needs photos left and no job of them yet', () => {
    expect(moveJob({ status: 'done', counts: counts({ failed: 0 }) }, EVENTS.retry)).toEqual({ ok: false, idle: true, reason: 'No photos failed.' });
    expect(moveJob({ status: 'done', counts: counts({ unparsed: 0 }) }, { type: 'retry', items: 'unparsed' })).toMatchObject({ idle: true });
    expect(moveJob({ status: 'done', counts: counts() }, EVENTS.retry)).toEqual({
      ok: true,
      change: { status: 'queued', stopReason: null, finishedAt: null },
    });
    const cancelled = (over: Partial<JobCounts>, remainderJob?: string) => ({ status: 'cancelled' as const, counts: counts(over), remainderJob });
    expect(outcome(cancelled({ pending: 0, failed: 0, notRun: 3 }), EVENTS.analyseRemaining)).toBe('cancelled');
    expect(moveJob(cancelled({ pending: 0, failed: 0 }), EVENTS.analyseRemaining)).toMatchObject({
      ok: false,
      reason: 'Every photo of this job was analysed.',
    });
    expect(moveJob(cancelled({}, 'Kitchen (remaining)'), EVENTS.analyseRemaining)).toMatchObject({
      ok: false,
      idle: false,
      reason: /already in “Kitchen/,
    });
  });

  it('a cancelled batch job still collecting answers can’t be retried, re-run or removed', () => {
    for (const type of ['retry', 'analyseRemaining', 'remove'] as const) {
      expect(moveJob({ status: 'cancelled', counts: counts(), collecting: true }, EVENTS[type])).toMatchObject({
        ok: false,
        reason: /still collecting/,
      });
    }
    expect(outcome({ status: 'cancelled', counts: counts(), collecting: true }, EVENTS.rename)).toBe('cancelled');
  });

  it('remaining photos are the waiting, failed and never-run ones', () => {
    expect(remainingOf(counts({ pending: 1, inFlight: 2, failed: 3, notRun: 4 }))).toBe(10);
  });

  it('applies a change: null clears a field, the first start is kept', () => {
    const record: Pick<JobRecord, 'status' | 'stopReason' | 'finishedAt' | 'startedAt'> = {
      status: 'stopped',
      stopReason: REASON,
      finishedAt: 3,
      startedAt: 1,
    };
    applyJobChange(record, { status: 'running', stopReason: null, finishedAt: null, startedAt: 5 });
    expect(record).toEqual({ status: 'running', startedAt: 1 });
    applyJobChange(record, { status: 'stopped', stopReason: REASON });
    expect(record).toEqual({ status: 'stopped', startedAt: 1, stopReason: REASON });
  });
});
