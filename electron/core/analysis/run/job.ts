/**
 * One job in memory: its record plus what only this session knows
 * (thumbnails, recent throughput). Views for the UI are computed from here;
 * results are not kept in memory but read from the output folder when a
 * view asks for them. An outcome is journaled (job-store.ts) before it is
 * shown or written out (output/projector.ts); summary.json is rewritten as
 * summary-policy.ts says and whenever the job stops.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from '../../kernel/deps';
import type { Preset } from '../presets';
import { prepareThumbnailOnly } from '../input/prepare';
import { CsvAppender } from '../output/csv-appender';
import { OutputProjector, type Outgoing } from '../output/projector';
import {
  CSV_FILE,
  type ItemDocument,
  SUMMARY_FILE,
  buildSummary,
  csvHeader,
  csvRow,
  readItemDocument,
  removeStaleTempFiles,
} from '../output/results';
import { SummaryPolicy, type SummaryPolicyOptions } from '../output/summary-policy';
import { writeAtomicAsync } from '../output/write-atomic-async';
import type { JobStore } from './job-store';
import type { ItemRecord, ItemView, JobCounts, JobDetail, JobRecord, JobSummary } from '../types';

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

/** Thumbnails made at once for a page: enough to fill it quickly without starving a running job. */
const THUMBNAIL_PARALLEL = 4;

/** A page asked for within this long means someone is looking at the job's results. */
const WATCHED_FOR_MS = 30_000;

/** How many recent completions the ETA is estimated from. */
const ETA_WINDOW = 30;

export class Job {
  readonly items = new Map<string, ItemRecord>();
  readonly thumbnails = new Map<string, string>();
  readonly projector: OutputProjector;
  readonly #csv: CsvAppender;
  #completions: number[] = [];
  /** Items whose outcome is set in the record but not yet journaled: shown as in flight until it is. */
  readonly #unsaved = new Set<string>();
  readonly #summaryPolicy: SummaryPolicy;
  /** When a page of items was last asked for (see `watched`). */
  #pagedAt = Number.NEGATIVE_INFINITY;
  #settled = 0;
  #swept = false;
  readonly #thumbnailQueue: ItemRecord[] = [];
  readonly #thumbnailing = new Set<string>();
  #thumbnailWorkers = 0;
  #summaryWrites: Promise<void> = Promise.resolve();
  /** The last writeOutputsNow, so a quit waits for it. */
  #outputs: Promise<void> = Promise.resolve();

  constructor(
    readonly record: JobRecord,
    readonly preset: Preset,
    private readonly ctx: JobContext,
  ) {
    for (const item of record.items) this.items.set(item.id, item);
    this.#csv = new CsvAppender(join(record.spec.outputDir, CSV_FILE));
    this.projector = new OutputProjector({
      outputDir: record.spec.outputDir,
      journal: ctx.store.journal(record.id),
      csv: this.#csv,
      rowOf: (entry) => this.#row(entry),
      onBroken: (error) => ctx.onOutputBroken(this, error),
      log: ctx.log,
    });
    // The outbox lives in the projector from here; snapshots take it from there.
    for (const entry of record.outbox ?? []) this.projector.hold(entry);
    delete record.outbox;
    this.#summaryPolicy = new SummaryPolicy(record.items.length, ctx.now, ctx.summaryPolicy);
  }

  get id(): string {
    return this.record.id;
  }

  item(id: string): ItemRecord {
    const item = this.items.get(id);
    if (!item) throw new Error(`unknown item ${id}`);
    return item;
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
      terminal = item.status === 'done' || item.status === 'failed';
      if (terminal) this.projector.hold({ id: item.id, ...(doc && item.outputFile ? { doc, file: item.outputFile } : {}) });
      else this.projector.drop(item.id);
      await this.ctx.store.journal(this.id).append({ k: 'item', item, tokens: this.record.tokens, ...(doc ? { doc } : {}) });
    } finally {
      this.#unsaved.delete(item.id);
    }
    if (!terminal) return;
    void this.projector.project(item.id);
    this.#settled++;
    // While running, summary.json is progress only: rewriting every photo's line each time would cost N² bytes.
    if (this.#summaryPolicy.due(this.#settled)) void this.writeSummary(false);
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
    const counts: JobCounts = { total: this.record.items.length, done: 0, failed: 0, skipped: 0, pending: 0, inFlight: 0, unparsed: 0 };
    for (const item of this.record.items) {
      if (this.#notYetOut(item.id)) counts.inFlight++;
      else if (item.status === 'done' && item.parseError) counts.unparsed++;
      else if (item.status === 'done') counts.done++;
      else if (item.status === 'failed') counts.failed++;
      else if (item.status === 'skipped') counts.skipped++;
      else if (item.status === 'in_flight') counts.inFlight++;
      else counts.pending++;
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

  detail(concurrency: number): JobDetail {
    return {
      ...this.summary(concurrency),
      items: this.record.items.map((item) => this.#view(item)),
    };
  }

  /**
   * One page of item views, in job order: only these items' results are
   * read. Thumbnails the session no longer holds (after a restart, or beyond
   * the most recent ones) are made for this page only, in the background: the
   * page comes back at once and a change is signalled as they arrive.
   */
  async page(offset: number, limit: number): Promise<ItemView[]> {
    this.#pagedAt = this.ctx.now();
    const items = this.record.items.slice(offset, offset + limit);
    for (const item of items) {
      if (item.status === 'skipped' || this.thumbnails.has(item.id) || this.#thumbnailing.has(item.id)) continue;
      this.#thumbnailing.add(item.id);
      this.#thumbnailQueue.push(item);
    }
    while (this.#thumbnailWorkers < THUMBNAIL_PARALLEL && this.#thumbnailQueue.length > 0) void this.#makeThumbnails();
    return items.map((item) => this.#view(item));
  }

  async #makeThumbnails(): Promise<void> {
    this.#thumbnailWorkers++;
    try {
      for (let item = this.#thumbnailQueue.shift(); item; item = this.#thumbnailQueue.shift()) {
        try {
          this.keepThumbnail(item, await prepareThumbnailOnly(item.path));
          this.ctx.onChange();
        } catch {
          /* moved or unreadable since: the item shows without one */
        } finally {
          this.#thumbnailing.delete(item.id);
        }
      }
    } finally {
      this.#thumbnailWorkers--;
    }
  }

  #view(item: ItemRecord): ItemView {
    const view: ItemView = { id: item.id, path: item.path, name: basename(item.path), status: this.visibleStatus(item) };
    if (item.error) view.error = { ...item.error };
    const thumbnail = this.thumbnails.get(item.id);
    if (thumbnail) view.thumbnail = thumbnail;
    if (item.hash) view.hash = item.hash;
    if (item.outputFile) view.outputFile = item.outputFile;
    if (item.duplicateOf) view.duplicateOf = item.duplicateOf;
    if (item.attempts) view.attempts = item.attempts;
    if (item.parseError) view.parseError = item.parseError;
    if (item.status === 'done' || (item.status === 'failed' && item.outputFile)) {
      const doc = this.documentOf(item);
      if (doc && doc.result !== null && doc.result !== undefined) view.result = doc.result;
      if (doc?.raw_text !== undefined) view.rawText = doc.raw_text;
    }
    return view;
  }

  /** The item's document: waiting in the outbox, else read from the output folder. */
  documentOf(item: ItemRecord): ItemDocument | undefined {
    const pending = this.projector.pending(item.id);
    if (pending) return pending;
    const doc = item.outputFile ? readItemDocument(this.record.spec.outputDir, item.outputFile) : undefined;
    return doc && doc.loupe.job_id === this.id && doc.loupe.item_id === item.id ? doc : undefined;
  }

  /** Whether someone is looking at this job's items now: its photos then get thumbnails as they are prepared. */
  watched(): boolean {
    return this.ctx.now() - this.#pagedAt < WATCHED_FOR_MS;
  }

  keepThumbnail(item: ItemRecord, thumbnail: string): void {
    this.thumbnails.delete(item.id);
    this.thumbnails.set(item.id, thumbnail);
    // Oldest first out: the UI scrolls to what is happening now.
    while (this.thumbnails.size > this.ctx.maxThumbnails) this.thumbnails.delete(this.thumbnails.keys().next().value!);
  }

  /** The job's snapshot (which compacts its journal); resolves once on disk. */
  snapshot(): Promise<void> {
    if (this.#csv.size !== undefined) this.record.csvEnd = this.#csv.size;
    return this.ctx.store.snapshot(this.record, this.projector.outbox());
  }

  /** A new job's results.csv: header and the rows of photos skipped at once. */
  async createOutputs(): Promise<void> {
    const rows = this.record.items.filter((item) => item.status === 'skipped').map((item) => this.#row({ id: item.id }));
    this.record.csvEnd = await this.#csv.create(csvHeader(this.preset.columns), rows);
  }

  /**
   * Before a run: results.csv ends where the journal says (or is rebuilt),
   * and what the output folder refused last time is written now. False when
   * it still refuses: the run must not start (no request may go out).
   */
  async prepareOutputs(): Promise<boolean> {
    // Only once this job's own writes are done may leftover temp files be taken for a dead run's.
    await this.idle();
    // A dead process's temp files can only predate this one: looked for once per job, not at every resume.
    if (!this.#swept && removeStaleTempFiles(this.record.spec.outputDir) > 0)
      this.ctx.log.info('removed temp files left by an interrupted run', { job: this.id });
    this.#swept = true;
    try {
      if (this.#csv.size === undefined && !(await this.#csv.resumeAt(this.record.csvEnd ?? 0))) await this.#rebuildCsv();
    } catch (error) {
      this.ctx.log.warn('could not rebuild results.csv', { job: this.id, code: (error as NodeJS.ErrnoException).code });
      return false;
    }
    return this.projector.retry();
  }

  /** When the job stops: everything written out, the CSV rebuilt if a photo was retried, summary.json now. */
  /** `ending`: the state the job is about to take, so summary.json says it before the job shows it. */
  writeOutputsNow(ending: Partial<Pick<JobRecord, 'status' | 'finishedAt' | 'stopReason'>> = {}): Promise<void> {
    const writing = this.#writeOutputs(ending);
    this.#outputs = writing.catch(() => {});
    return writing;
  }

  async #writeOutputs(ending: Partial<JobRecord>): Promise<void> {
    await this.#outputs;
    await this.projector.idle();
    if (this.projector.broken) return;
    if (this.record.csvStale) {
      try {
        await this.#rebuildCsv();
      } catch (error) {
        this.ctx.log.warn('could not rebuild results.csv', { job: this.id, code: (error as NodeJS.ErrnoException).code });
      }
    }
    await this.writeSummary(true, ending);
  }

  /** Resolves once nothing of this job is being written (before a quit). */
  async idle(): Promise<void> {
    this.#thumbnailQueue.length = 0;
    await this.#outputs;
    await this.projector.idle();
    await this.#summaryWrites;
  }

  /** summary.json now; `withItems` false while the job runs (see buildSummary). */
  writeSummary(withItems = true, ending: Partial<JobRecord> = {}): Promise<void> {
    const text = `${JSON.stringify(buildSummary({ ...this.record, ...ending }, { ...this.counts() }, this.ctx.now(), withItems), null, 2)}\n`;
    this.#summaryPolicy.wrote(this.#settled);
    const path = join(this.record.spec.outputDir, SUMMARY_FILE);
    this.#summaryWrites = this.#summaryWrites.then(() =>
      writeAtomicAsync(path, text).catch((error: unknown) => {
        this.ctx.log.warn('could not write summary.json', { job: this.id, code: (error as NodeJS.ErrnoException).code });
      }),
    );
    return this.#summaryWrites;
  }

  /** Rows in job order, one per finished or skipped photo, results read back from the files. */
  async #rebuildCsv(): Promise<void> {
    const rows: string[][] = [];
    for (const item of this.record.items) {
      if (item.status !== 'done' && item.status !== 'failed' && item.status !== 'skipped') continue;
      let doc = this.projector.pending(item.id);
      if (!doc && item.status === 'done' && item.outputFile) doc = await readDocument(join(this.record.spec.outputDir, item.outputFile));
      rows.push(this.#row({ id: item.id, ...(doc ? { doc } : {}) }));
    }
    const end = await this.#csv.rewrite(csvHeader(this.preset.columns), rows);
    this.record.csvEnd = end;
    delete this.record.csvStale;
    await this.ctx.store.journal(this.id).append({ k: 'csv', csvEnd: end });
  }

  #row(entry: Outgoing): string[] {
    const item = this.item(entry.id);
    return csvRow(this.record, item, this.preset.columns, entry.doc?.result, (id) => this.items.get(id)?.path);
  }
}

async function readDocument(path: string): Promise<ItemDocument | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as ItemDocument;
  } catch {
    return undefined;
  }
}
