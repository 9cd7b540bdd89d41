import type { Clock } from '../../electron/core/kernel/deps';

/**
 * Wall-clock time whose timers keep Node alive (the app's systemClock unrefs
 * them): a child process running only the engine must not exit during a backoff.
 */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(handle) };
  },
};
