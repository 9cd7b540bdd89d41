/**
 * Where jobs live in the data folder: a snapshot `<dataDir>/jobs/<id>.json`
 * (a header, and the items beside it: job-files.ts) plus the journal
 * `<id>.journal.jsonl` of what happened since (journal.ts).
 *
 * Item outcomes go to the journal only (a few hundred bytes each, batched
 * fsync); the snapshot is rewritten when the job changes state (created,
 * started, paused, ended), which also compacts the journal. So the bytes
 * written for a job grow with its output, not with its size times its
 * progress. Opening replays snapshot + journal, tolerating a torn last line.
 */
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setAsidePathFor } from '../../kernel/atomic-file';
import type { Logger } from '../../kernel/deps';
import { LoupeError } from '../../kernel/errors';
import { Journal, replay } from './journal';
import { jsonArrayChunks } from '../files/json-slices';
import { writeAtomicAsync } from '../files/write-atomic-async';
import { headerText, itemsFileName, readHeader, readItems, removeItemsFiles } from './job-files';
import type { ItemRecord } from '../records/item-record';
import type { JobCounts } from '../../../contract';
import type { JobRecord } from '../records/job-record';

/** A job as read from the data folder: whole (`loaded`), or its header only with the counts it was saved with. */
export interface StoredJob {
  record: JobRecord;
  counts: JobCounts | null;
  loaded?: boolean;
}

export class JobStore {
  readonly #journals = new Map<string, Journal>();
  /** Snapshot writes per job, chained so an older one never lands after a newer one. */
  readonly #snapshots = new Map<string, Promise<void>>();
  /** Per job, the journal entry the last snapshot on disk includes, once no other snapshot is on its way. */
  readonly #saved = new Map<string, number>();

  private constructor(
    readonly dir: string,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  /** The store in `<dataDir>/jobs`, made when missing. */
  static async open(dataDir: string, log: Logger, now: () => number): Promise<JobStore> {
    const dir = join(dataDir, 'jobs');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return new JobStore(dir, log, now);
  }

  pathOf(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  journalPathOf(id: string): string {
    return join(this.dir, `${id}.journal.jsonl`);
  }

  /**
   * Every readable job. Only headers are read (job-files.ts), so opening
   * costs little however many photos the jobs hold; a job whose journal has
   * entries (it was running, or Loupe ended before its snapshot) is read
   * whole and the journal replayed over it. `items` is undefined for a job
   * read lazily: `loadItems` reads them when they are needed. An unreadable
   * snapshot is renamed aside (never deleted) and reported.
   */
  async loadAll(): Promise<{ jobs: StoredJob[]; setAside: string[] }> {
    const jobs: StoredJob[] = [];
    const aside: string[] = [];
    for (const name of await readdir(this.dir)) {
      if (!/^[\w-]+\.json$/.test(name)) continue;
      const path = join(this.dir, name);
      try {
        const header = await readHeader(path);
        const journalPath = this.journalPathOf(header.id);
        const entries = await Journal.read(journalPath, header.seq ?? 0);
        this.#journals.set(header.id, new Journal(journalPath, Math.max(header.seq ?? 0, entries.at(-1)?.seq ?? 0)));
        const { items, counts, ...rest } = header;
        const record = rest as JobRecord;
        if (!items && entries.length === 0) {
          this.#saved.set(header.id, header.seq ?? 0);
          jobs.push({ record, counts: counts ?? null });
          continue;
        }
        record.items = items ?? (await readItems(this.dir, header.itemsFile!));
        replay(record, entries);
        jobs.push({ record, counts: null, loaded: true });
      } catch {
        try {
          const movedTo = setAsidePathFor(path, this.now());
          await rename(path, movedTo);
          aside.push(movedTo);
          this.log.warn('unreadable job file set aside', { file: name });
        } catch {
          /* leave it; it will be skipped again next time */
        }
      }
    }
    jobs.sort((a, b) => a.record.createdAt - b.record.createdAt);
    return { jobs, setAside: aside };
  }

  /** The items of a job read lazily (its journal was empty, so the items file is the whole truth). */
  loadItems(record: Pick<JobRecord, 'itemsFile'>): Promise<ItemRecord[]> {
    if (!record.itemsFile) return Promise.reject(new Error('no items file'));
    return readItems(this.dir, record.itemsFile);
  }

  /** Nothing of this job is being saved and its last snapshot holds every journal entry: the files are the whole truth. */
  atRest(id: string): boolean {
    const journal = this.#journals.get(id);
    return journal !== undefined && journal.idle && this.#saved.get(id) === journal.seq;
  }

  /** Forgets a removed job's files (never its output folder). */
  async remove(id: string): Promise<void> {
    this.#journals.delete(id);
    this.#snapshots.delete(id);
    await rm(this.pathOf(id), { force: true });
    await rm(this.journalPathOf(id), { force: true });
    await removeItemsFiles(this.dir, id);
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
   * Writes the job's snapshot, holding at least every journal entry numbered
   * so far, and then empties the journal. The items are serialised a slice at
   * a time (a large job's list is never one long task on the main thread), so
   * one may be newer than that number: replay applies the later entries over
   * it all the same. The outbox and counts are taken once the items are
   * written (`state`), so an item written as done either has its answer in
   * the outbox or its file in the output folder. `items` null: they are not
   * in memory and the items file on disk is still theirs, so only the header
   * is written. Resolves once on disk.
   */
  snapshot(record: JobRecord, items: ItemRecord[] | null, state: () => { counts: JobCounts; outbox: JobRecord['outbox'] }): Promise<void> {
    const journal = this.journal(record.id);
    const seq = journal.seq;
    const itemsFile = items ? itemsFileName(record.id, seq) : record.itemsFile;
    if (!itemsFile) return Promise.reject(new Error('a job without items'));
    const previous = this.#snapshots.get(record.id) ?? Promise.resolve();
    this.#saved.delete(record.id);
    const write = previous
      .catch(() => {})
      .then(async () => {
        try {
          // Items first: a header never names an items file that is not on disk yet.
          if (items) await writeAtomicAsync(join(this.dir, itemsFile), jsonArrayChunks(items));
          const { counts, outbox } = state();
          await writeAtomicAsync(this.pathOf(record.id), headerText(record, { seq, itemsFile, counts, ...(outbox ? { outbox } : {}) }));
        } catch (error) {
          this.log.error('could not save job', { job: record.id, code: (error as NodeJS.ErrnoException).code });
          throw new LoupeError('job_save_failed', 'Loupe couldn’t save the job’s progress to its data folder. Is the disk full?');
        }
        record.itemsFile = itemsFile;
        if (items) await removeItemsFiles(this.dir, record.id, itemsFile);
        await journal.truncateIfAt(seq);
        if (this.#snapshots.get(record.id) === write) this.#saved.set(record.id, seq);
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
