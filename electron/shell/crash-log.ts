/**
 * What dies or throws outside any handler reaches the log file: a window's
 * renderer or a utility/GPU process gone (Electron's `render-process-gone`,
 * `child-process-gone`), and the main process's uncaught exceptions and
 * unhandled rejections. An uncaught exception leaves the main process in an
 * unknown state, so it also ends the app the visible way start-up failures do
 * (`onFatal`); the journal keeps every paid answer, so nothing recorded is lost.
 */
import type { App } from 'electron';
import type { Logger } from '../core/kernel/deps';

export const describeError = (error: unknown): string =>
  error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);

export function logCrashes(app: Pick<App, 'on'>, proc: Pick<NodeJS.Process, 'on'>, log: Logger, onFatal: (error: unknown) => void): void {
  app.on('render-process-gone', (_event, contents, details) => {
    log.error('window process gone', { reason: details.reason, exitCode: details.exitCode, url: contents.getURL() });
  });
  app.on('child-process-gone', (_event, details) => {
    log.error('child process gone', {
      type: details.type,
      reason: details.reason,
      exitCode: details.exitCode,
      name: details.name ?? details.serviceName,
    });
  });
  proc.on('uncaughtException', (error) => {
    log.error('uncaught exception', { error: describeError(error) });
    onFatal(error);
  });
  proc.on('unhandledRejection', (reason) => {
    log.error('unhandled rejection', { error: describeError(reason) });
  });
}
