/**
 * The main process log: one JSON line per entry in Electron's logs folder,
 * so a failed start-up can point the person at it. The core never logs
 * secrets (see electron/core/errors.ts); this file only writes what it gets.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock, Logger } from '../core/kernel/deps';

export interface FileLogger extends Logger {
  readonly path: string;
}

export function openLogFile(dir: string, clock: Pick<Clock, 'now'>): FileLogger {
  const path = join(dir, 'main.log');
  let broken = false;
  const write = (level: string, message: string, fields?: Record<string, unknown>) => {
    const line = JSON.stringify({ time: new Date(clock.now()).toISOString(), level, message, ...fields });
    if (level !== 'info') console.error(line);
    if (broken) return;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      appendFileSync(path, `${line}\n`, { mode: 0o600 });
    } catch {
      // A read-only or full disk must not take the app down; stderr still has it.
      broken = true;
    }
  };
  return {
    path,
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
}
