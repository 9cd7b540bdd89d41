/**
 * Quitting, logging off and system shutdown all end the same way: running
 * jobs record what they finished before the process ends. The wait is
 * bounded so Quit always quits.
 */
import type { Clock } from '../core/kernel/deps';

export const SHUTDOWN_GRACE_MS = 5_000;

export interface Shutdown {
  /** Runs the recorder once (later calls wait for the same run); resolves when it ended or the grace time ran out. */
  run(): Promise<void>;
  readonly started: boolean;
}

export function createShutdown(record: () => Promise<void>, clock: Clock, onError: (error: unknown) => void): Shutdown {
  let running: Promise<void> | undefined;
  return {
    get started() {
      return running !== undefined;
    },
    run() {
      running ??= new Promise<void>((resolve) => {
        const timer = clock.setTimeout(resolve, SHUTDOWN_GRACE_MS);
        record()
          .catch(onError)
          .finally(() => {
            timer.cancel();
            resolve();
          });
      });
      return running;
    },
  };
}
