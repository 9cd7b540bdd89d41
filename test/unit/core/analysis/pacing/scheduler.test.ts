/**
 * The scheduler's order and timing against hooks that record what they are
 * asked, a pacer that allows two requests at once, and a manual clock: what
 * each error's disposition leads to, and what pause, stop and cancel do to
 * what is waiting and what is in flight.
 */
import { describe, expect, it } from 'vitest';
import type { Pacer } from '../../../../../electron/core/analysis/pacing/flow-governor';
import { Scheduler, type SchedulerHooks, type SchedulerTuning } from '../../../../../electron/core/analysis/pacing/scheduler';
import { AnalysisError, internalError } from '../../../../../electron/core/analysis/records/analysis-error';
import { ManualClock } from '../../../../support/manual-clock';

const TUNING: SchedulerTuning = {
  maxAttempts: 3,
  maxRateLimitRetries: 2,
  backoffBaseMs: 1000,
  backoffMaxMs: 1000,
  prepareParallel: 2,
  maxPrefetch: 4,
};

/** Two requests at once, no pause of its own. */
function pacer(): Pacer & { inFlight: number } {
  let seq = 0;
  return {
    limit: 2,
    pausedUntil: 0,
    inFlight: 0,
    canStart() {
      return this.inFlight < this.limit ? { ok: true } : { ok: false, waitMs: Number.POSITIVE_INFINITY };
    },
    started() {
      this.inFlight++;
      return ++seq;
    },
    admitted() {},
    rateLimited() {},
    finished() {
      this.inFlight--;
    },
    prefetch: (_ms, _parallel, ceiling) => ceiling,
  };
}

interface Call {
  id: string;
  signal: AbortSignal;
  answer(value: string): void;
  fail(error: AnalysisError): void;
}

/** Hooks that record every call; each request waits until the test answers it. */
function recorder() {
  const log: string[] = [];
  const calls: Call[] = [];
  const stops: AnalysisError[] = [];
  let sent = () => {};
  const hooks: SchedulerHooks<string, string> = {
    prepare: async (id) => ({ kind: 'send', payload: `photo ${id}` }),
    sending: (id, attempt) => void log.push(`send ${id} #${attempt}`),
    send: (id, _payload, signal) =>
      new Promise<string>((resolve, reject) => {
        calls.push({ id, signal, answer: resolve, fail: reject });
        signal.addEventListener('abort', () => reject(new AnalysisError('cancelled', 'aborted', { disposition: 'aborted' })));
        sent();
      }),
    succeeded: async (id, result) => void log.push(`done ${id} ${result}`),
    failed: async (id, error) => void log.push(`failed ${id} ${error.code}`),
    retrying: (id, error) => void log.push(`retry ${id} ${error.code}`),
    released: (id) => void log.push(`released ${id}`),
    stop: (error) => void stops.push(error),
    changed: () => {},
  };
  /** Resolves once `n` requests have gone out in all. */
  const requests = (n: number) =>
    new Promise<Call[]>((resolve) => {
      const check = () => (calls.length >= n ? resolve(calls) : undefined);
      sent = check;
      check();
    });
  return { hooks, log, calls, stops, requests };
}

const transient = () => new AnalysisError('server_error', 'Busy.', { disposition: 'backoff' });

describe('Scheduler', () => {
  it('sends every photo, no more than the pacer allows at once, and ends drained once each is recorded', async () => {
    const clock = new ManualClock(0);
    const gov = pacer();
    const r = recorder();
    const scheduler = new Scheduler(['a', 'b', 'c'], r.hooks, gov, TUNING, clock);
    const done = scheduler.start();
    const [a, b] = await r.requests(2);
    expect(gov.inFlight).toBe(2);
    a!.answer('A');
    b!.answer('B');
    (await r.requests(3))[2]!.answer('C');
    expect(await done).toBe('drained');
    expect(r.log.filter((l) => l.startsWith('done'))).toEqual(['done a A', 'done b B', 'done c C']);
  });

  it('a transient failure is retried after its backoff on the clock, then fails once its attempts are used up', async () => {
    const clock = new ManualClock(0);
    const r = recorder();
    const done = new Scheduler(['a'], r.hooks, pacer(), TUNING, clock).start();
    (await r.requests(1))[0]!.fail(transient());
    await Promise.resolve();
    await Promise.resolve();
    expect(r.log).toContain('retry a server_error');
    expect(r.calls).toHaveLength(1);
    clock.advance(1000);
    (await r.requests(2))[1]!.fail(transient());
    await Promise.resolve();
    await Promise.resolve();
    clock.advance(1000);
    (await r.requests(3))[2]!.fail(transient());
    expect(await done).toBe('drained');
    expect(r.log).toEqual(['send a #1', 'retry a server_error', 'send a #2', 'retry a server_error', 'send a #3', 'failed a server_error']);
  });

  it('a refused body fails the photo at once; an error every request would meet stops the job and gives the rest back', async () => {
    const clock = new ManualClock(0);
    const r = recorder();
    const done = new Scheduler(['a', 'b', 'c', 'd'], r.hooks, pacer(), TUNING, clock).start();
    const [a, b] = await r.requests(2);
    a!.fail(new AnalysisError('invalid_request', 'Bad image.', { disposition: 'fail_item' }));
    (await r.requests(3))[2]!.fail(new AnalysisError('insufficient_quota', 'No quota.', { disposition: 'stop_job' }));
    // What was in flight when the job stopped is still recorded.
    b!.answer('B');
    expect(await done).toBe('stopped');
    expect(r.stops.map((e) => e.code)).toEqual(['insufficient_quota']);
    expect(r.log).toContain('failed a invalid_request');
    expect(r.log).toContain('done b B');
    expect(r.log).toContain('released c');
    expect(r.log).toContain('released d');
    expect(r.calls.map((c) => c.id)).toEqual(['a', 'b', 'c']);
  });

  it('pause lets requests in flight finish and be recorded, and gives back what waits', async () => {
    const r = recorder();
    const scheduler = new Scheduler(['a', 'b', 'c', 'd'], r.hooks, pacer(), TUNING, new ManualClock(0));
    const done = scheduler.start();
    const [a, b] = await r.requests(2);
    scheduler.pause();
    a!.answer('A');
    b!.answer('B');
    expect(await done).toBe('paused');
    expect(r.log.filter((l) => l.startsWith('done') || l.startsWith('released')).sort()).toEqual([
      'done a A',
      'done b B',
      'released c',
      'released d',
    ]);
  });

  it('cancel aborts what is in flight and records nothing more', async () => {
    const r = recorder();
    const scheduler = new Scheduler(['a', 'b', 'c'], r.hooks, pacer(), TUNING, new ManualClock(0));
    const done = scheduler.start();
    const calls = await r.requests(2);
    scheduler.cancel();
    expect(calls.every((c) => c.signal.aborted)).toBe(true);
    expect(await done).toBe('cancelled');
    expect(r.log.some((l) => l.startsWith('done') || l.startsWith('failed'))).toBe(false);
    expect(r.log.filter((l) => l.startsWith('released')).sort()).toEqual(['released a', 'released b', 'released c']);
  });

  it('the same internal error on photo after photo stops the job instead of paying for the rest', async () => {
    const r = recorder();
    const done = new Scheduler(['a', 'b', 'c', 'd', 'e'], r.hooks, pacer(), { ...TUNING, maxInternalStreak: 2 }, new ManualClock(0)).start();
    const [a, b] = await r.requests(2);
    a!.fail(internalError(new RangeError('x'), 'reading the answer'));
    b!.fail(internalError(new RangeError('y'), 'reading the answer'));
    expect(await done).toBe('stopped');
    expect(r.stops[0]!.message).toMatch(/2 photos in a row failed with the same internal error \(RangeError\)/);
    expect(r.log.filter((l) => l.startsWith('failed'))).toEqual(['failed a internal_error', 'failed b internal_error']);
  });

  it('a photo settled while being prepared is never sent; a copy waits for its original', async () => {
    const r = recorder();
    let release!: () => void;
    const original = new Promise<void>((resolve) => (release = resolve));
    const hooks: SchedulerHooks<string, string> = {
      ...r.hooks,
      prepare: async (id) => (id === 'a' ? { kind: 'settled' } : id === 'b' ? { kind: 'wait', until: original } : { kind: 'send', payload: id }),
    };
    const done = new Scheduler(['a', 'b', 'c'], hooks, pacer(), TUNING, new ManualClock(0)).start();
    (await r.requests(1))[0]!.answer('C');
    let ended = false;
    void done.then(() => (ended = true));
    await Promise.resolve();
    expect(ended).toBe(false);
    release();
    expect(await done).toBe('drained');
    expect(r.calls.map((c) => c.id)).toEqual(['c']);
  });
});
