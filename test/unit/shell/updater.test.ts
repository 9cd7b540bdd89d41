import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../electron/core/kernel/deps';
import { UPDATE_CHECK_INTERVAL_MS } from '../../../electron/core/app/update-status';
import { type UpdaterLike, startUpdates } from '../../../electron/shell/updater';
import { ManualClock } from '../../support/manual-clock';

/** electron-updater as far as Loupe sees it: events, a check, quitAndInstall. */
class FakeUpdater extends EventEmitter implements UpdaterLike {
  autoDownload = false;
  autoInstallOnAppQuit = false;
  checks = 0;
  installs = 0;
  result: unknown = {};
  async checkForUpdates() {
    this.checks++;
    return this.result;
  }
  quitAndInstall() {
    this.installs++;
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('startUpdates', () => {
  it('checks at start and every six hours after a check ends, downloading in the background', async () => {
    const clock = new ManualClock(0);
    const updater = new FakeUpdater();
    startUpdates({ updater, clock, log: silentLogger, onChange() {} });
    expect(updater).toMatchObject({ autoDownload: true, autoInstallOnAppQuit: true });
    clock.advance(0);
    expect(updater.checks).toBe(1);
    updater.emit('checking-for-update');
    updater.emit('update-not-available');
    clock.advance(UPDATE_CHECK_INTERVAL_MS - 1);
    expect(updater.checks).toBe(1);
    clock.advance(1);
    expect(updater.checks).toBe(2);
  });

  it('offers "Restart to update" once downloaded, and only then installs', async () => {
    const clock = new ManualClock(0);
    const updater = new FakeUpdater();
    let changes = 0;
    const updates = startUpdates({ updater, clock, log: silentLogger, onChange: () => changes++ });
    clock.advance(0);
    updates.restartToUpdate();
    expect(updater.installs).toBe(0);
    updater.emit('update-available', { version: '0.2.0' });
    expect(updates.ready()).toBeNull();
    updater.emit('update-downloaded', { version: '0.2.0' });
    expect(updates.ready()).toEqual({ version: '0.2.0' });
    expect(changes).toBe(1);
    // No more checks while an update waits for the restart.
    clock.advance(10 * UPDATE_CHECK_INTERVAL_MS);
    expect(updater.checks).toBe(1);
    updates.restartToUpdate();
    expect(updater.installs).toBe(1);
  });

  it('an inactive updater (not an installed build) is asked once and left alone', async () => {
    const clock = new ManualClock(0);
    const updater = new FakeUpdater();
    updater.result = null;
    const logged: string[] = [];
    startUpdates({ updater, clock, log: { ...silentLogger, info: (m) => void logged.push(m) }, onChange() {} });
    clock.advance(0);
    await tick();
    expect(logged).toContain('updates are not available for this build');
    clock.advance(10 * UPDATE_CHECK_INTERVAL_MS);
    expect(updater.checks).toBe(1);
  });

  it('a failed check is logged and retried on schedule; stop() ends the schedule', async () => {
    const clock = new ManualClock(0);
    const updater = new FakeUpdater();
    const warned: unknown[] = [];
    const updates = startUpdates({ updater, clock, log: { ...silentLogger, warn: (m, f) => void warned.push([m, f]) }, onChange() {} });
    clock.advance(0);
    updater.emit('error', new Error('net::ERR_NAME_NOT_RESOLVED'));
    expect(warned).toEqual([['update check failed', { error: 'net::ERR_NAME_NOT_RESOLVED' }]]);
    clock.advance(UPDATE_CHECK_INTERVAL_MS);
    expect(updater.checks).toBe(2);
    updates.stop();
    updater.emit('update-not-available');
    clock.advance(10 * UPDATE_CHECK_INTERVAL_MS);
    expect(updater.checks).toBe(2);
  });
});
