/**
 * Where jobs live in the data folder: a snapshot `<dataDir>/jobs/<id>.json`
 * plus the journal `<id>.journal.jsonl` of what happened since (journal.ts).
 *
 * Item outcomes go to the journal only (a few hundred bytes each, batched
 * fsync); the snapshot is rewritten when the job changes state (created,
 * started, paused, ended), which also compacts the journal. So the bytes
 * written for a job grow with its output, not with its size times its
 * progress. Opening replays snapshot + journal, tolerating a torn last line.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setAside } from '../../kernel/json-file-store';
import type { Logger } from '../../kernel/deps';
import { LoupeError } from '../../kernel/errors';
import { Journal, replay } from './journal';
import { writeAtomicAsync } from '../output/write-atomic-async';
import type { JobRecord } from '../types';

export class JobStore {
  readonly dir: string;
  readonly #journals = new Map<string, Journal>();
  /** Snapshot writes per job, chained so an older one never lands after a newer one. */
  readonly #snapshots = new Map<string, Promise<void>>();

  constructor(
    dataDir: string,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {
    this.dir = join(dataDir, 'jobs');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  pathOf(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  journalPathOf(id: string): string {
    return join(this.dir, `${id}.journal.jsonl`);
  }

  /** Every readable job, journal replayed; an unreadable snapshot is renamed aside (never deleted) and reported. */
  loadAll(): { jobs: JobRecord[]; setAside: string[] } {
    const jobs: JobRecord[] = [];
    const aside: string[] = [];
    for (const name of readdirSync(this.dir)) {
      if (!/^[\w-]+\.json$/.test(name)) continue;
      const path = join(this.dir, name);
      try {
        const record = JSON.parse(readFileSync(path, 'utf8')) as JobRecord;
        if (record?.version !== 1 || typeof record.id !== 'string' || !Array.isArray(record.items)) throw new Error('not a job');
        const journalPath = this.journalPathOf(record.id);
        replay(record, Journal.read(journalPath, record.seq ?? 0));
        this.#journals.set(record.id, new Journal(journalPath, record.seq ?? 0));
        jobs.push(record);
      } catch {
        try {
          aside.push(setAside(path, this.now()));
          this.log.warn('unreadable job file set aside', { file: name });
        } catch {
          /* leave it; it will be skipped again next time */
        }
      }
    }
    jobs.sort((a, b) => a.createdAt - b.createdAt);
    return { jobs, setAside: aside };
  }

  journal(id: string): Journal {
    let journal = this.#journals.get(id);
    if (!journal) {
      journal = new Journal(this.journalPathOf(id), 0);
      this.#journals.set(id, journal);
    }
    return journal;
  }

  /**
   * Writes the job's snapshot (serialised now, so it holds every journal
   * entry numbered so far) and then empties the journal. Resolves once on disk.
   */
  snapshot(record: JobRecord, outbox: JobRecord['outbox']): Promise<void> {
    const journal = this.journal(record.id);
    const seq = journal.seq;
    const { outbox: _old, ...rest } = record;
    const text = JSON.stringify({ ...rest, seq, ...(outbox && outbox.length > 0 ? { outbox } : {}) });
    const previous = this.#snapshots.get(record.id) ?? Promise.resolve();
    const write = previous
      .catch(() => {})
      .then(async () => {
        try {
          await writeAtomicAsync(this.pathOf(record.id), text);
        } catch (error) {
          this.log.error('could not save job', { job: record.id, code: (error as NodeJS.ErrnoException).code });
          throw new LoupeError('job_save_failed', 'Loupe couldn’t save the job’s progress to its data folder. Is the disk full?');
        }
        journal.truncateIfAt(seq);
      });
    this.#snapshots.set(record.id, write);
    return write;
  }

  /** Resolves once every snapshot and journal entry asked for so far is on disk. */
  async flush(): Promise<void> {
    await Promise.all([...this.#snapshots.values()].map((p) => p.catch(() => {})));
    await Promise.all([...this.#journals.values()].map((j) => j.close()));
  }
}
