import { describe, expect, it } from 'vitest';
import type { JobCounts, JobStatus } from '../../../../electron/contract';
import { UsageLimitWatch, type UsageLimitJob } from '../../../../electron/core/analysis/usage-limit';

const counts = (done: number): JobCounts => ({ total: 10, done, failed: 0, skipped: 0, pending: 10 - done, inFlight: 0, unparsed: 0, notRun: 0 });
const link = { label: 'Manage usage', url: 'https://chatgpt.com/settings/usage' };
const job = (id: string, accountId: string, status: JobStatus, done: number, code?: string): UsageLimitJob => ({
  accountId,
  summary: { id, status, counts: counts(done), ...(code ? { stopReason: { code, message: 'You’ve hit your ChatGPT usage limit.', link } } : {}) },
});

describe('UsageLimitWatch', () => {
  it('is set when a job stops on the usage limit, and cleared once the account works again', () => {
    const watch = new UsageLimitWatch();
    expect(watch.update([job('j1', 'a1', 'running', 3)])).toBeNull();
    const set = watch.update([job('j1', 'a1', 'stopped', 3, 'usage_limit')]);
    expect(set).toEqual({ accountId: 'a1', message: 'You’ve hit your ChatGPT usage limit.', link });
    // Resumed, but nothing analysed yet: the limit may still be there.
    expect(watch.update([job('j1', 'a1', 'running', 3)])).toEqual(set);
    // A photo analysed on that account: it works again.
    expect(watch.update([job('j1', 'a1', 'running', 4)])).toBeNull();
  });

  it('ignores other stops, other accounts’ progress, and clears when the account’s jobs are gone', () => {
    const watch = new UsageLimitWatch();
    expect(watch.update([job('j1', 'a1', 'stopped', 3, 'insufficient_quota')])).toBeNull();
    expect(watch.update([job('j1', 'a1', 'stopped', 3, 'usage_limit'), job('j2', 'a2', 'running', 1)])).not.toBeNull();
    expect(watch.update([job('j1', 'a1', 'stopped', 3, 'usage_limit'), job('j2', 'a2', 'running', 5)])?.accountId).toBe('a1');
    expect(watch.update([job('j2', 'a2', 'done', 10)])).toBeNull();
  });
});
