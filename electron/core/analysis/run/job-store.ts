/**
 * Job files: `<dataDir>/jobs/<jobId>.json`, replaced atomically on every save.
 *
 * Saves are batched: every caller gets a promise that resolves once a write
 * containing its change is on disk, and changes made within a short window
 * share one write. The engine awaits that promise before it reports an item
 * done, so "done" on screen always means "done on disk", while a burst of
 * finishing items costs one write, not one each.
 */
import type { Clock } from '../../kernel/deps';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setAside, writeAtomic } from '../../kernel/json-file-store';
import type { Logger } from '../../kernel/deps';
import { LoupeError } from '../../kernel/errors';
import type { JobRecord } from '../types';

/** Longest a save waits for company, scaled with job size so big jobs aren't rewritten many times a second. */
function batchDelayMs(record: JobRecord): number {
  return Math.min(1000, Math.max(25, Math.round(record.items.length / 10)));
}

export class JobStore {
  readonly dir: string;
  #dirty = new Map<string, JobRecord>();
  #waiters: Array<{ resolve(): void; reject(error: unknown): void }> = [];
  #timer: { cancel(): void } | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(
    dataDir: string,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {
    this.dir = join(dataDir, 'jobs');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  pathOf(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  /** Every readable job; an unreadable file is renamed aside (never deleted) and reported. */
  loadAll(): { jobs: JobRecord[]; setAside: string[] } {
    const jobs: JobRecord[] = [];
    const aside: string[] = [];
    for (const name of readdirSync(this.dir)) {
      if (!/^[\w-]+\.json$/.test(name)) continue;
      const path = join(this.dir, name);
      try {
        const record = JSON.parse(readFileSync(path, 'utf8')) as JobRecord;
        if (record?.version !== 1 || typeof record.id !== 'string' || !Array.isArray(record.items)) throw new Error('not a job');
        jobs.push(record);
      } catch {
        try {
          aside.push(setAside(path, this.clock.now()));
          this.log.warn('unreadable job file set aside', { file: name });
        } catch {
          /* leave it; it will be skipped again next time */
        }
      }
    }
    jobs.sort((a, b) => a.createdAt - b.createdAt);
    return { jobs, setAside: aside };
  }

  /** Resolves once this state (or a later one) of the job is on disk. */
  save(record: JobRecord): Promise<void> {
    this.#dirty.set(record.id, record);
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    const at = this.clock.now() + batchDelayMs(record);
    if (at < this.#timerAt) {
      this.#timer?.cancel();
      this.#timerAt = at;
      this.#timer = this.clock.setTimeout(() => this.flush(), at - this.clock.now());
    }
    return done;
  }

  /** Writes everything pending now. */
  flush(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const dirty = [...this.#dirty.values()];
    const waiters = this.#waiters;
    this.#dirty.clear();
    this.#waiters = [];
    let failure: unknown;
    for (const record of dirty) {
      try {
        writeAtomic(this.pathOf(record.id), JSON.stringify(record));
      } catch (error) {
        this.log.error('could not save job', { job: record.id, code: (error as NodeJS.ErrnoException).code });
        failure ??= new LoupeError('job_save_failed', 'Loupe couldn’t save the job’s progress to its data folder. Is the disk full?');
      }
    }
    for (const waiter of waiters) {
      if (failure) waiter.reject(failure);
      else waiter.resolve();
    }
  }
}
