/**
 * A job's journal: `<dataDir>/jobs/<id>.journal.jsonl`, one JSON entry per
 * line, only ever appended. It is the truth about a job between snapshots
 * (`<id>.json`, see job-store.ts): every answer is recorded here, and on
 * disk, before it is shown or written to the output folder, so an answer
 * that was paid for survives a crash, a full disk or a vanished output
 * folder.
 *
 * Appends are group-committed: entries arriving while a write is on its way
 * share the next write and fdatasync, so a burst of finishing photos costs
 * one sync, not one each, and nothing is written synchronously on the main
 * thread. Each entry carries a sequence number; a snapshot records the last
 * one it includes, so replay skips what the snapshot already holds even when
 * the process died between writing the snapshot and emptying the journal.
 */
import { type FileHandle, open, readFile, truncate } from 'node:fs/promises';
import type { ItemDocument } from '../records/item-document';
import { isSettled } from '../lifecycle/item-lifecycle';
import { applyJobChange } from '../lifecycle/job-lifecycle';
import { type ItemRecord, normaliseItem } from '../records/item-record';
import { type JobRecord } from '../records/job-record';

export type JournalEntry =
  /** An item's state after a change; `doc` is the file its answer (or failure) projects to. */
  | { k: 'item'; item: ItemRecord; tokens: JobRecord['tokens']; doc?: ItemDocument }
  /** These items' files are in the output folder and their CSV rows end at byte `csvEnd`. */
  | { k: 'written'; ids: string[]; csvEnd: number }
  /** results.csv was rebuilt (rows in item order, superseded rows gone) and is now `csvEnd` bytes. */
  | { k: 'csv'; csvEnd: number }
  /** Job-level state that must survive a crash between snapshots (running, for the crash-loop guard). */
  | { k: 'job'; status: JobRecord['status']; startedAt?: number; stopReason?: JobRecord['stopReason'] | null };

type Stamped = JournalEntry & { seq: number };

interface Waiter {
  line: string;
  resolve(): void;
  reject(error: unknown): void;
}

export class Journal {
  #seq: number;
  #handle: FileHandle | undefined;
  #pending: Waiter[] = [];
  #busy = false;

  constructor(
    readonly path: string,
    seq: number,
  ) {
    this.#seq = seq;
  }

  get seq(): number {
    return this.#seq;
  }

  /** Resolves once the entry (and every earlier one) is on disk. */
  append(entry: JournalEntry): Promise<void> {
    const line = `${JSON.stringify({ ...entry, seq: ++this.#seq })}\n`;
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ line, resolve, reject });
      if (!this.#busy) void this.#drain();
    });
  }

  /** Nothing queued or being written. */
  get idle(): boolean {
    return !this.#busy && this.#pending.length === 0;
  }

  async #drain(): Promise<void> {
    this.#busy = true;
    while (this.#pending.length > 0) {
      const batch = this.#pending;
      this.#pending = [];
      try {
        this.#handle ??= await open(this.path, 'a', 0o600);
        await this.#handle.write(batch.map((w) => w.line).join(''));
        await this.#handle.datasync();
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.#busy = false;
  }

  /**
   * Empties the journal after a snapshot that includes entry `upTo`. Skipped
   * when later entries exist or are on their way: they would be lost, and
   * keeping the old ones is harmless since replay skips them by number.
   * Entries appended while it empties the file wait, and are written after.
   */
  async truncateIfAt(upTo: number): Promise<boolean> {
    if (!this.idle || this.#seq !== upTo) return false;
    this.#busy = true;
    try {
      // The handle is append-mode: truncating it is enough, later writes start at 0.
      if (this.#handle) await this.#handle.truncate(0);
      else await truncate(this.path, 0);
      return true;
    } catch {
      return false;
    } finally {
      this.#busy = false;
      if (this.#pending.length > 0) void this.#drain();
    }
  }

  async close(): Promise<void> {
    while (!this.idle) await new Promise((r) => setImmediate(r));
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close().catch(() => {});
  }

  /**
   * The entries after `afterSeq`, in order. A torn last line (the process
   * died mid-append) is cut off the file so the next append starts clean;
   * it was never acknowledged, so nothing relied on it.
   */
  static async read(path: string, afterSeq: number): Promise<Stamped[]> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return [];
    }
    const entries: Stamped[] = [];
    let good = 0;
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      const line = text.slice(start, end);
      start = end + 1;
      try {
        const entry = JSON.parse(line) as Stamped;
        good = start;
        if (typeof entry.seq === 'number' && entry.seq > afterSeq) entries.push(entry);
      } catch {
        break;
      }
    }
    const bytes = Buffer.byteLength(text.slice(0, good));
    if (bytes < Buffer.byteLength(text)) await truncate(path, bytes);
    return entries;
  }
}

/** Applies journal entries to a snapshot; outcomes recorded but never written out end up in `outbox`. */
export function replay(record: JobRecord, entries: Stamped[]): JobRecord {
  const index = new Map(record.items.map((item, i) => [item.id, i]));
  const outbox = new Map((record.outbox ?? []).map((entry) => [entry.id, entry]));
  for (const entry of entries) {
    if (entry.k === 'item') {
      const at = index.get(entry.item.id);
      if (at === undefined) continue;
      record.items[at] = normaliseItem(entry.item);
      record.tokens = entry.tokens;
      if (isSettled(entry.item.status))
        outbox.set(entry.item.id, {
          id: entry.item.id,
          ...(entry.doc && entry.item.outputFile ? { doc: entry.doc, file: entry.item.outputFile } : {}),
        });
      else outbox.delete(entry.item.id);
    } else if (entry.k === 'written') {
      for (const id of entry.ids) outbox.delete(id);
      record.csvEnd = entry.csvEnd;
    } else if (entry.k === 'csv') {
      record.csvEnd = entry.csvEnd;
      delete record.csvStale;
    } else if (entry.k === 'job') {
      // A move the lifecycle made before Loupe ended, made again.
      applyJobChange(record, { status: entry.status, ...(entry.stopReason !== undefined ? { stopReason: entry.stopReason } : {}) });
      if (entry.startedAt !== undefined) record.startedAt = entry.startedAt;
    }
    record.seq = entry.seq;
  }
  if (outbox.size > 0) record.outbox = [...outbox.values()];
  else delete record.outbox;
  return record;
}
