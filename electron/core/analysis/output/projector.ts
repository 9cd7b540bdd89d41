/**
 * The output folder as a projection of the journal. An outcome is held here
 * (the "outbox") from the moment it is journaled until its file and CSV row
 * are in the output folder and a `written` entry says so; writing it again
 * is harmless (the file is replaced whole, the CSV is cut back to the last
 * recorded row on resume), so after a crash whatever has no `written` entry
 * is simply projected again, never requested again.
 *
 * Outcomes are written in batches: the files of a batch in parallel, its CSV
 * rows in one append, one `written` entry for all of them (one line, so a
 * crash keeps or loses the batch's rows together). A fast API therefore
 * never leaves the output folder behind.
 *
 * The first write the folder refuses breaks the projector: nothing more is
 * written, everything stays in the outbox (and in snapshots), and the owner
 * stops the job. `retry()` on resume writes the outbox out first.
 */
import type { Logger } from '../../kernel/deps';
import type { Journal } from '../store/journal';
import type { CsvAppender } from './results-csv';
import type { ItemDocument } from '../records/item-document';
import type { OutputFolder } from '../records/output-files';
import { writeAtomicAsync } from '../files/write-atomic-async';
import { itemFileText } from './item-file';

export interface Outgoing {
  id: string;
  /** The item's JSON and its file name; absent for an item that failed before it had a file name (unreadable photo). */
  doc?: ItemDocument;
  file?: string;
}

export interface ProjectorDeps {
  folder: OutputFolder;
  journal: Journal;
  csv: CsvAppender;
  /** The CSV row for an item, from its record and its document. */
  rowOf(entry: Outgoing): string[];
  onBroken(error: unknown): void;
  log: Logger;
}

export class OutputProjector {
  readonly #outbox = new Map<string, Outgoing>();
  #chain: Promise<void> = Promise.resolve();
  #broken = false;
  readonly #queued = new Set<string>();
  #pumping = false;

  constructor(private readonly deps: ProjectorDeps) {}

  get broken(): boolean {
    return this.#broken;
  }

  /** What is recorded but not yet written out, for the snapshot. */
  outbox(): Outgoing[] {
    return [...this.#outbox.values()];
  }

  /** Asked to be written and not yet written (nor refused). */
  writing(id: string): boolean {
    return this.#queued.has(id);
  }

  /** The document waiting for this item, when its file is not written yet. */
  pending(id: string): ItemDocument | undefined {
    return this.#outbox.get(id)?.doc;
  }

  /** Holds an outcome at once (it is being journaled): a snapshot taken from now on carries it. */
  hold(entry: Outgoing): void {
    this.#outbox.set(entry.id, entry);
  }

  /** Forgets an outcome that was superseded before it was written (a retry reset the item). */
  drop(id: string): void {
    this.#outbox.delete(id);
  }

  /** Writes a held outcome out, after the one before it; call once its journal entry is on disk. */
  project(id: string): Promise<void> {
    this.#queued.add(id);
    if (!this.#pumping) {
      this.#pumping = true;
      this.#chain = this.#pump();
    }
    return this.#chain;
  }

  /** Resolves once everything asked for is written (or the projector broke). */
  idle(): Promise<void> {
    return this.#chain;
  }

  /** Tries again after a failure: writes the whole outbox; false when the folder still refuses. */
  async retry(): Promise<boolean> {
    this.#broken = false;
    for (const id of [...this.#outbox.keys()]) void this.project(id);
    await this.#chain;
    return !this.#broken;
  }

  async #pump(): Promise<void> {
    try {
      // Let the outcomes settling in the same moment join the first batch.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.#queued.size > 0 && !this.#broken) {
        // The first BATCH in order, without copying a queue that fell behind (that copy grew with the backlog).
        const ids: string[] = [];
        for (const id of this.#queued) {
          ids.push(id);
          if (ids.length === BATCH) break;
        }
        try {
          await this.#writeBatch(ids);
        } finally {
          for (const id of ids) this.#queued.delete(id);
        }
      }
      // Refused: what was queued stays in the outbox, no longer "being written".
      if (this.#broken) this.#queued.clear();
    } finally {
      // Synchronously after the last check of the queue, so an id queued from now on starts a new pump.
      this.#pumping = false;
    }
  }

  async #writeBatch(ids: string[]): Promise<void> {
    const entries = ids.map((id) => this.#outbox.get(id)).filter((entry): entry is Outgoing => entry !== undefined);
    if (entries.length === 0) return;
    try {
      await Promise.all(
        entries.map((entry) =>
          entry.doc && entry.file ? writeAtomicAsync(this.deps.folder.item(entry.file), itemFileText(entry.doc)) : Promise.resolve(),
        ),
      );
      const csvEnd = await this.deps.csv.appendRows(entries.map((entry) => this.deps.rowOf(entry)));
      await this.deps.journal.append({ k: 'written', ids: entries.map((entry) => entry.id), csvEnd });
      for (const entry of entries) if (this.#outbox.get(entry.id) === entry) this.#outbox.delete(entry.id);
    } catch (error) {
      this.#broken = true;
      this.deps.log.error('could not write to the output folder', { items: entries.length, code: (error as NodeJS.ErrnoException).code });
      this.deps.onBroken(error);
    }
  }
}

/** Outcomes written per batch: enough to keep up with any answer rate, few enough to keep a batch's memory small. */
const BATCH = 128;
