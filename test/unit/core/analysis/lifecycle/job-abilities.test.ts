import { describe, expect, it } from 'vitest';
import type { JobCounts, JobStatus } from '../../../../../electron/contract';
import { jobAbilities } from '../../../../../electron/core/analysis/lifecycle/job-abilities';

const counts = (over: Partial<JobCounts> = {}): JobCounts => ({
  total: 10,
  done: 0,
  failed: 0,
  skipped: 0,
  pending: 10,
  inFlight: 0,
  unparsed: 0,
  notRun: 0,
  ...over,
});
const allowed = (status: JobStatus, c = counts(), cancelPending = false) =>
  Object.entries(jobAbilities({ status, counts: c, ...(cancelPending ? { cancelPending: { wasActive: false } } : {}) }))
    .filter(([, a]) => a.allowed)
    .map(([name]) => name)
    .sort();

describe('jobAbilities', () => {
  it('a running job may be paused, cancelled and renamed, nothing else', () => {
    expect(allowed('running')).toEqual(['cancel', 'pause', 'rename']);
    expect(allowed('queued')).toEqual(['cancel', 'pause', 'rename']);
    const refused = jobAbilities({ status: 'running', counts: counts() });
    expect(refused.remove.reason).toMatch(/cancel the job first/);
    expect(refused.resume.reason).toBe('This job is already running.');
  });

  it('paused and stopped jobs resume; a stopped job with photos left offers "Analyse remaining"', () => {
    expect(allowed('paused')).toEqual(['cancel', 'rename', 'resume']);
    expect(allowed('stopped', counts({ done: 4, pending: 6 }))).toEqual(['analyseRemaining', 'cancel', 'remove', 'rename', 'resume']);
  });

  it('finished jobs: retry failed when some failed, remove always, never resume', () => {
    expect(allowed('done', counts({ done: 10, pending: 0 }))).toEqual(['remove', 'rename']);
    expect(allowed('done', counts({ done: 8, failed: 2, pending: 0 }))).toEqual(['remove', 'rename', 'retryFailed']);
    expect(allowed('failed', counts({ failed: 10, pending: 0 }))).toEqual(['remove', 'rename', 'retryFailed']);
    // Unparsed answers are asked again only on request, once the job has ended.
    expect(allowed('done', counts({ done: 8, unparsed: 2, pending: 0 }))).toEqual(['remove', 'rename', 'retryUnparsed']);
    expect(allowed('running', counts({ done: 2, unparsed: 1, pending: 7 }))).not.toContain('retryUnparsed');
  });

  it('a cancelled job offers the photos not done as a new job, not a retry', () => {
    const c = counts({ done: 3, failed: 1, pending: 6 });
    expect(allowed('cancelled', c)).toEqual(['analyseRemaining', 'remove', 'rename']);
    expect(jobAbilities({ status: 'cancelled', counts: c }).retryFailed.reason).toMatch(/remaining photos/);
    expect(allowed('cancelled', counts({ done: 10, pending: 0 }))).toEqual(['remove', 'rename']);
    // Only once: after that the remaining photos are another job's.
    expect(jobAbilities({ status: 'cancelled', counts: c, remainderJob: 'Kitchen (remaining)' }).analyseRemaining).toEqual({
      allowed: false,
      reason: 'The remaining photos are already in “Kitchen (remaining)”.',
    });
  });

  it('while a cancel can be undone only Undo (and renaming) is open', () => {
    expect(allowed('paused', counts(), true)).toEqual(['rename', 'undoCancel']);
  });

  it('a cancelled batch job still collecting its finished answers cannot be removed, retried or re-run yet', () => {
    const c = counts({ done: 2, failed: 3, pending: 0, inFlight: 5 });
    const collecting = jobAbilities({ status: 'cancelled', counts: c, collecting: true });
    for (const name of ['remove', 'analyseRemaining', 'retryFailed', 'retryUnparsed'] as const) {
      expect(collecting[name]).toEqual({ allowed: false, reason: expect.stringMatching(/still collecting the answers/) });
    }
    expect(collecting.rename.allowed).toBe(true);
    const collected = jobAbilities({ status: 'cancelled', counts: counts({ done: 2, failed: 8, pending: 0 }) });
    expect(collected.remove.allowed).toBe(true);
    expect(collected.analyseRemaining.allowed).toBe(true);
  });
});
