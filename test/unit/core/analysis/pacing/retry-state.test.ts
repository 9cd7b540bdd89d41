import { describe, expect, it, vi } from 'vitest';
import { AnalysisError } from '../../../../../electron/core/analysis/records/analysis-error';
import { RetryState, retryReason, trackRetries } from '../../../../../electron/core/analysis/pacing/retry-state';
import type { SchedulerHooks } from '../../../../../electron/core/analysis/pacing/scheduler';

const network = () => new AnalysisError('network', 'fetch failed', { disposition: 'backoff' });
const limited = () => new AnalysisError('rate_limited', 'Too many requests.', { disposition: 'rate_limit' });

function hooks(): SchedulerHooks<string, string> {
  return {
    prepare: vi.fn(),
    sending: vi.fn(),
    send: vi.fn(),
    succeeded: vi.fn(async () => {}),
    failed: vi.fn(async () => {}),
    retrying: vi.fn(),
    released: vi.fn(),
    stop: vi.fn(),
    changed: vi.fn(),
  };
}

describe('live retry state', () => {
  it('counts the requests waiting to go again, the earliest retry and why, in a person’s words', () => {
    const state = new RetryState();
    const tracked = trackRetries(hooks(), state);
    expect(state.view()).toBeNull();
    tracked.retrying('i1', network(), 8_000);
    tracked.retrying('i2', network(), 5_000);
    expect(state.view()).toEqual({ count: 2, nextAt: 5_000, reason: 'Can’t reach the server' });
    tracked.retrying('i3', limited(), 6_000);
    expect(state.view()).toEqual({ count: 3, nextAt: 5_000, reason: 'The server asked Loupe to slow down' });
  });

  it('an item stops waiting when it is sent again, settles or is released', async () => {
    const inner = hooks();
    const state = new RetryState();
    const tracked = trackRetries(inner, state);
    tracked.retrying('i1', network(), 1);
    tracked.retrying('i2', network(), 2);
    tracked.retrying('i3', network(), 3);
    tracked.retrying('i4', network(), 4);
    tracked.sending('i1', 2);
    await tracked.succeeded('i2', 'ok');
    await tracked.failed('i3', network());
    expect(state.view()).toEqual({ count: 1, nextAt: 4, reason: 'Can’t reach the server' });
    tracked.released('i4');
    expect(state.view()).toBeNull();
    // The wrapped hooks still run.
    expect(inner.sending).toHaveBeenCalledWith('i1', 2);
    expect(inner.retrying).toHaveBeenCalledTimes(4);
    expect(inner.released).toHaveBeenCalledWith('i4');
  });

  it('keeps the server’s own words for errors it has no plainer name for', () => {
    expect(retryReason('server_error', 'x')).toBe('The server is having trouble');
    expect(retryReason('response_incomplete', 'The answer was cut off.')).toBe('The answer was cut off.');
  });
});
