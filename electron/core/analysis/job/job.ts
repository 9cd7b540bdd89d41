/**
 * One job in memory: its record plus what only this session knows
 * (thumbnails, recent throughput). Views for the UI are computed from here;
 * results are not kept in memory but read from the output folder when a
 * view asks for them. An outcome is journaled (job-store.ts) before it is
 * shown or written out (job-outputs.ts), so "done" on screen is never ahead
 * of "done" on disk.
 *
 * A job's items are in memory only while needed: a job read at start-up
 * whose journal was empty holds its header and counts only, and reads its
 * items when it runs or a page of it is asked for (`loadItems`); a job at
 * rest can let them go again (`unloadItems`), so closed jobs cost a line
 * each, not a record per photo.
 */
import type { Logger } from '../../kernel/deps';
import type { Preset } from '../records/presets';
import { type ItemDocument } from '../records/item-document';
import { readItemDocument } from '../output/item-file';
import { type OutputFolder, outputFolder } from '../records/output-files';
import { itemView } from './item-view';
import type { SummaryPolicyOptions } from '../output/summary-policy';
import type { OutputProjector } from '../output/projector';
import { JobOutputs } from '../output/job-outputs';
import type { JobStore } from '../store/job-store';
import { JobThumbnails } from './job-thumbnails';
import { isSettled, markNotRun, moveItem } from '../lifecycle/item-lifecycle';
import type { JobChange } from '../lifecycle/job-lifecycle';
import { type ItemRecord } from '../records/item-record';
import { type ItemView, type JobRecord, type JobSummary } from '../records/job-record';
import { type JobCounts } from '../../../contract';
import { hasOpenBatch, inOpenBatch } from '../records/batch-state';

export interface JobContext {
  store: JobStore;
  now(): number;
  log: Logger;
  onChange(): void;
  maxThumbnails: number;
  /** The output folder refused a write: the job stops at once (no further requests). */
  onOutputBroken(job: Job, error: unknown): void;
  summaryPolicy?: SummaryPolicyOptions;
}

/** A page asked for within this long means someone is looking at the job's results. */
const WATCHED_FOR_MS = 30_000;

/** How many recent completions the ETA is estimated from. */
const ETA_WINDOW = 30;

export class Job {
  /** The job's output folder, claimed when the job was created. */
  readonly output: OutputFolder;
  readonly thumbnails: JobThumbnails;
  readonly outputs: JobOutputs;
  #completions: number[] = [];
  /** Items whose outcome is set in the record but not yet journaled: shown as in flight until it is. */
  readonly #unsaved = new Set<string>();
  /** When a page of items was last asked for (see `watched`). */
  #pagedAt = Number.NEGATIVE_INFINITY;
  /** Counts as saved with the header, for a job whose items are not in memory. */
  #savedCounts: JobCounts | null;
  #loading: Promise<void> | undefined;
  /** By id, built only for ids that are not `i<position>` (every job Loupe creates numbers them so). */
  #byId: Map<string, ItemRecord> | undefined;

  constructor(
    readonly record: JobRecord,
    readonly preset: Preset,
    private readonly ctx: JobContext,
    savedCounts: JobCounts | null = null,
  ) {
    this.output = outputFolder(record.spec.outputDir);
    this.#savedCounts = Array.isArray(record.items) ? null : savedCountsOf(record, savedCounts);
    if (this.loaded) this.#afterReading(record.items);
    else hideItems(record);
    this.thumbnails = new JobThumbnails(ctx.maxThumbnails, ctx.onChange);
    this.outputs = new JobOutputs(this, {
      store: ctx.store,
      now: ctx.now,
      log: ctx.log,
      onBroken: (error) => ctx.onOutputBroken(this, error),
      ...(ctx.summaryPolicy ? { summaryPolicy: ctx.summaryPolicy } : {}),
    });
  }

  get id(): string {
    return this.record.id;
  }

  get projector(): OutputProjector {
    return this.outputs.projector;
  }

  /** Whether the items are in memory. */
  get loaded(): boolean {
    return this.#savedCounts === null;
  }

  get total(): number {
    return this.loaded ? this.record.items.length : this.#savedCounts!.total;
  }

  /** Reads the items from the data folder when they are not in memory. */
  loadItems(): Promise<void> {
    if (this.loaded) return Promise.resolve();
    this.#loading ??= this.ctx.store
      .loadItems(this.record)
      .then((items) => {
        if (this.loaded) return;
        this.#afterReading(items);
        Object.defineProperty(this.record, 'items', { value: items, writable: true, enumerable: true, configurable: true });
        this.#byId = undefined;
        this.#savedCounts = null;
      })
      .finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  /** Items read back from the data folder: a request in flight then was never answered; a cancelled job's waiting photos will not run. */
  #afterReading(items: ItemRecord[]): void {
    for (const item of items) moveItem(item, { type: 'recover' });
    if (this.record.status === 'cancelled') markNotRun(items, inOpenBatch(this.record.batch));
  }

  /** A job cancelled for good: its photos that will never run say so (those in a batch still open wait for its answers). */
  markNotRun(): void {
    markNotRun(this.record.items, inOpenBatch(this.record.batch));
  }

  /**
   * Lets the items go when the items file holds exactly them: the job is
   * not running, nothing of it is being written and nothing changed since
   * its last snapshot. False when they must stay.
   */
  unloadItems(): boolean {
    if (!this.loaded || !this.record.itemsFile || this.record.status === 'running' || this.record.status === 'queued') return false;
    if (this.#unsaved.size > 0 || !this.ctx.store.atRest(this.id) || this.projector.outbox().length > 0) return false;
    const counts = this.counts();
    hideItems(this.record);
    this.#byId = undefined;
    this.#savedCounts = counts;
    return true;
  }

  item(id: string): ItemRecord {
    const { items } = this.record;
    // Ids are `i<position>` for every job Loupe creates: no index needed.
    const at = id.startsWith('i') ? Number(id.slice(1)) - 1 : -1;
    const item = items[at]?.id === id ? items[at] : (this.#byId ??= new Map(items.map((i) => [i.id, i]))).get(id);
    if (!item) throw new Error(`unknown item ${id}`);
    return item;
  }

  /** An item's photo path, when the item exists. */
  path(id: string): string | undefined {
    try {
      return this.item(id).path;
    } catch {
      return undefined;
    }
  }

  /**
   * Records an item's outcome: `change` sets it (returning the item's
   * document, if it has one), the journal gets it, and only then is it shown
   * and written to the output folder, so "done" on screen is never ahead of
   * "done" on disk and a paid answer is on disk before anything can fail.
   */
  async settle(item: ItemRecord, change: () => ItemDocument | void): Promise<void> {
    this.#unsaved.add(item.id);
    let terminal = false;
    try {
      const doc = change() || undefined;
      terminal = isSettled(item.status);
      if (terminal) this.projector.hold({ id: item.id, ...(doc && item.outputFile ? { doc, file: item.outputFile } : {}) });
      else this.projector.drop(item.id);
      await this.ctx.store.journal(this.id).append({ k: 'item', item, tokens: this.record.tokens, ...(doc ? { doc } : {}) });
    } finally {
      this.#unsaved.delete(item.id);
    }
    if (terminal) this.outputs.settled(item.id);
  }

  /**
   * An outcome not yet journaled, or journaled but not yet in the output
   * folder, shows as in flight: done on screen means the file is there.
   * Answers kept from a refused write show as what they are.
   */
  #notYetOut(id: string): boolean {
    return this.#unsaved.has(id) || this.projector.writing(id);
  }

  /** Status as the UI may see it. */
  visibleStatus(item: ItemRecord): ItemRecord['status'] {
    return this.#notYetOut(item.id) ? 'in_flight' : item.status;
  }

  counts(): JobCounts {
    if (!this.loaded) return { ...this.#savedCounts!, pending: this.#savedCounts!.pending + this.#savedCounts!.inFlight, inFlight: 0 };
    const counts = emptyCounts(this.record.items.length);
    for (const item of this.record.items) {
      if (this.#notYetOut(item.id)) counts.inFlight++;
      else counts[COUNTED_AS[item.status]]++;
    }
    return counts;
  }

  noteCompletion(): void {
    this.#completions.push(this.ctx.now());
    if (this.#completions.length > ETA_WINDOW) this.#completions.shift();
  }

  /** Restart the ETA after a pause: the time spent paused says nothing about speed. */
  resetThroughput(): void {
    this.#completions = [];
  }

  etaMs(counts = this.counts()): number | null {
    const remaining = counts.pending + counts.inFlight;
    if (remaining === 0) return 0;
    const samples = this.#completions;
    if (samples.length < 3) return null;
    const span = samples.at(-1)! - samples[0]!;
    if (span <= 0) return null;
    const perItem = span / (samples.length - 1);
    return Math.round(remaining * perItem);
  }

  summary(concurrency: number): JobSummary {
    const { record } = this;
    const counts = this.counts();
    const summary: JobSummary = {
      id: record.id,
      name: record.name,
      preset: record.spec.preset,
      model: record.spec.model,
      detail: record.spec.detail,
      mode: record.spec.mode ?? 'live',
      status: record.status,
      counts,
      createdAt: record.createdAt,
      startedAt: record.startedAt ?? null,
      finishedAt: record.finishedAt ?? null,
      etaMs: record.status === 'running' ? this.etaMs(counts) : null,
      tokens: { ...record.tokens },
      outputDir: record.spec.outputDir,
      concurrency: record.status === 'running' ? concurrency : 0,
    };
    if (record.stopReason) summary.stopReason = { ...record.stopReason };
    return summary;
  }

  /**
   * One page of item views, in job order: only these items' results are
   * read. Thumbnails the session no longer holds (after a restart, or beyond
   * the most recent ones) are made for this page only, in the background: the
   * page comes back at once and a change is signalled as they arrive.
   */
  async page(offset: number, limit: number): Promise<ItemView[]> {
    this.#pagedAt = this.ctx.now();
    await this.loadItems();
    const items = this.record.items.slice(offset, offset + limit);
    this.thumbnails.request(items.filter((item) => item.status !== 'skipped'));
    return Promise.all(
      items.map((item) =>
        itemView(item, {
          status: this.visibleStatus(item),
          thumbnail: this.thumbnails.get(item.id),
          document: () => this.document(item),
        }),
      ),
    );
  }

  /** The item's document: waiting in the outbox, else read from the output folder (only this job's file for this item). */
  async document(item: ItemRecord): Promise<ItemDocument | undefined> {
    const pending = this.projector.pending(item.id);
    if (pending) return pending;
    const doc = item.outputFile ? await readItemDocument(this.output, item.outputFile) : undefined;
    return doc && doc.loupe.job_id === this.id && doc.loupe.item_id === item.id ? doc : undefined;
  }

  /** Whether someone is looking at this job's items now: its photos then get thumbnails as they are prepared. */
  watched(): boolean {
    return this.ctx.now() - this.#pagedAt < WATCHED_FOR_MS;
  }

  keepThumbnail(item: ItemRecord, thumbnail: string): void {
    this.thumbnails.keep(item.id, thumbnail);
  }

  /** The job's snapshot (which compacts its journal); resolves once on disk. */
  snapshot(): Promise<void> {
    if (this.outputs.csvSize !== undefined) this.record.csvEnd = this.outputs.csvSize;
    return this.ctx.store.snapshot(this.record, this.loaded ? this.record.items : null, () => ({
      counts: this.counts(),
      outbox: this.projector.outbox(),
    }));
  }

  /** A new job's results.csv: header and the rows of photos skipped at once. */
  createOutputs(): Promise<void> {
    return this.outputs.create();
  }

  /** Before a run (see JobOutputs.prepare); the items are read first when they are not in memory. */
  async prepareOutputs(): Promise<boolean> {
    await this.loadItems();
    return this.outputs.prepare();
  }

  /** When the job stops (see JobOutputs.writeNow); summary.json lists every photo, so they are read first. */
  async writeOutputsNow(ending: JobChange = {}): Promise<void> {
    await this.loadItems();
    return this.outputs.writeNow(ending);
  }

  /** Resolves once nothing of this job is being written (before a quit). */
  async idle(): Promise<void> {
    this.thumbnails.clearQueue();
    await this.#loading?.catch(() => {});
    await this.outputs.idle();
  }
}

/** Item records in memory across these jobs (those whose items are loaded): what the process's heap is sized for. */
export function itemRecordsInMemory(jobs: Iterable<{ loaded: boolean; total: number }>): number {
  let n = 0;
  for (const job of jobs) if (job.loaded) n += job.total;
  return n;
}

function emptyCounts(total: number): JobCounts {
  return { total, done: 0, failed: 0, skipped: 0, pending: 0, inFlight: 0, unparsed: 0, notRun: 0 };
}

/** Which count each item status adds to. */
const COUNTED_AS: Record<ItemRecord['status'], Exclude<keyof JobCounts, 'total'>> = {
  pending: 'pending',
  in_flight: 'inFlight',
  done: 'done',
  unparsed: 'unparsed',
  failed: 'failed',
  skipped: 'skipped',
  not_run: 'notRun',
};

/** The counts a job's header was saved with, in today's terms: an older Loupe counted a cancelled job's never-run photos as waiting. */
function savedCountsOf(record: JobRecord, saved: JobCounts | null): JobCounts {
  const counts = { ...emptyCounts(0), ...saved };
  if (record.status !== 'cancelled' || counts.pending + counts.inFlight === 0 || hasOpenBatch(record.batch)) return counts;
  return { ...counts, notRun: counts.notRun + counts.pending + counts.inFlight, pending: 0, inFlight: 0 };
}

/** A job's items while they are not in memory: reading them is a bug, so it fails loudly instead of finding none. */
function hideItems(record: JobRecord): void {
  Object.defineProperty(record, 'items', {
    configurable: true,
    enumerable: false,
    get(): never {
      throw new Error(`the items of job ${record.id} are not loaded`);
    },
  });
}
