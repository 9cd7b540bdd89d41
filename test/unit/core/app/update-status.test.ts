import { describe, expect, it } from 'vitest';
import {
  UPDATE_CHECK_INTERVAL_MS,
  initialUpdateStatus,
  nextCheckIn,
  readyUpdate,
  reduceUpdate,
  updatesEnabled,
  type UpdateEvent,
  type UpdateStatus,
} from '../../../../electron/core/app/update-status';

const T0 = Date.parse('2026-12-01T09:00:00Z');
const HOUR = 3_600_000;
const run = (events: Array<[UpdateEvent, number]>, from: UpdateStatus = initialUpdateStatus) =>
  events.reduce((s, [e, at]) => reduceUpdate(s, e, at), from);

describe('updates', () => {
  it('only packaged builds update', () => {
    expect(updatesEnabled({ packaged: true })).toBe(true);
    expect(updatesEnabled({ packaged: false })).toBe(false);
  });

  it('checks at start, then six hours after the last check ended', () => {
    expect(nextCheckIn(initialUpdateStatus, T0)).toBe(0);
    const checked = run([
      [{ type: 'checking' }, T0],
      [{ type: 'not-available' }, T0 + 1000],
    ]);
    expect(checked.phase).toBe('idle');
    expect(nextCheckIn(checked, T0 + 1000)).toBe(UPDATE_CHECK_INTERVAL_MS);
    expect(nextCheckIn(checked, T0 + 1000 + 5 * HOUR)).toBe(HOUR);
    expect(nextCheckIn(checked, T0 + 1000 + 7 * HOUR)).toBe(0);
  });

  it('a failed check is retried on the same schedule and keeps the error for the log', () => {
    const failed = run([
      [{ type: 'checking' }, T0],
      [{ type: 'error', message: 'net::ERR_INTERNET_DISCONNECTED' }, T0],
    ]);
    expect(failed).toMatchObject({ phase: 'failed', error: 'net::ERR_INTERNET_DISCONNECTED', lastCheckedAt: T0 });
    expect(nextCheckIn(failed, T0)).toBe(UPDATE_CHECK_INTERVAL_MS);
    expect(readyUpdate(failed)).toBeNull();
  });

  it('downloads in the background, then offers a restart; no checks meanwhile', () => {
    const downloading = run([
      [{ type: 'checking' }, T0],
      [{ type: 'available', version: '0.2.0' }, T0],
    ]);
    expect(downloading.phase).toBe('downloading');
    expect(nextCheckIn(downloading, T0 + 7 * HOUR)).toBeNull();
    expect(readyUpdate(downloading)).toBeNull();
    const ready = reduceUpdate(downloading, { type: 'downloaded', version: '0.2.0' }, T0 + 60_000);
    expect(readyUpdate(ready)).toEqual({ version: '0.2.0' });
    expect(nextCheckIn(ready, T0 + 100 * HOUR)).toBeNull();
  });

  it('a ready update is not taken back by a later event', () => {
    const ready = run([
      [{ type: 'available', version: '0.2.0' }, T0],
      [{ type: 'downloaded', version: '0.2.0' }, T0],
    ]);
    expect(reduceUpdate(ready, { type: 'error', message: 'x' }, T0)).toBe(ready);
    expect(reduceUpdate(ready, { type: 'not-available' }, T0)).toBe(ready);
  });
});
