/**
 * A job's output folder: results.csv (created with the job, appended as
 * photos finish, rebuilt when a retried photo left a superseded row),
 * summary.json (rewritten as summary-policy.ts says while the job runs, in
 * full when it stops) and the projector that writes each recorded outcome
 * out (output/projector.ts). Everything here is asynchronous: nothing is
 * written on the main thread.
 */
import type { JobCounts } from '../../../contract';
import type { Logger } from '../../kernel/deps';
import { nextTurn } from '../files/json-slices';
import { writeAtomicAsync } from '../files/write-atomic-async';
import { isAnswered, isSettled } from '../lifecycle/item-lifecycle';
import { type JobChange, applyJobChange } from '../lifecycle/job-lifecycle';
import type { ItemRecord } from '../records/item-record';
import type { JobRecord } from '../records/job-record';
import type { OutputFolder } from '../records/output-files';
import type { Preset } from '../records/presets';
import type { JobStore } from '../store/job-store';
import { readItemDocument } from './item-file';
import { removeStaleTempFiles } from './output-folder';
import { OutputProjector, type Outgoing } from './projector';
import { CsvAppender, csvHeader, csvRow } from './results-csv';
import { summaryChunks } from './summary-file';
import { SummaryPolicy, type SummaryPolicyOptions } from './summary-policy';

/** What the outputs need of their job. */
export interface OutputsOwner {
  readonly id: string;
  readonly record: JobRecord;
  readonly preset: Preset;
  readonly output: OutputFolder;
  readonly total: number;
  item(id: string): ItemRecord;
  path(id: string): string | undefined;
  counts(): JobCounts;
}

export interface OutputsContext {
  store: JobStore;
  now(): number;
  log: Logger;
  onBroken(error: unknown): void;
  summaryPolicy?: SummaryPolicyOptions;
}

export class JobOutputs {
  readonly projector: OutputProjector;
  readonly #csv: CsvAppender;
  readonly #summaryPolicy: SummaryPolicy;
  #settled = 0;
  #swept = false;
  #summaryWrites: Promise<void> = Promise.resolve();
  /** The last writeNow, so a quit waits for it. */
  #outputs: Promise<void> = Promise.resolve();

  constructor(
    private readonly job: OutputsOwner,
    private readonly ctx: OutputsContext,
  ) {
    const { record } = job;
    this.#csv = new CsvAppender(job.output.csv);
    this.projector = new OutputProjector({
      folder: job.output,
      journal: ctx.store.journal(record.id),
      csv: this.#csv,
      rowOf: (entry) => this.#row(entry),
      onBroken: ctx.onBroken,
      log: ctx.log,
    });
    // The outbox lives in the projector from here; snapshots take it from there.
    for (const entry of record.outbox ?? []) this.projector.hold(entry);
    delete record.outbox;
    this.#summaryPolicy = new SummaryPolicy(job.total, ctx.now, ctx.summaryPolicy);
  }

  /** Where results.csv ends, for the snapshot. */
  get csvSize(): number | undefined {
    return this.#csv.size;
  }

  /** An outcome is journaled: write it out, and summary.json's progress when it is due. */
  settled(id: string): void {
    void this.projector.project(id);
    this.#settled++;
    // While running, summary.json is progress only: rewriting every photo's line each time would cost N² bytes.
    if (this.#summaryPolicy.due(this.#settled)) void this.writeSummary(false);
  }

  /** A new job's results.csv: header and the rows of photos skipped at once. */
  async create(): Promise<void> {
    const rows = this.job.record.items.filter((item) => item.status === 'skipped').map((item) => this.#row({ id: item.id }));
    this.job.record.csvEnd = await this.#csv.create(csvHeader(this.job.preset.columns), rows);
  }

  /**
   * Before a run: results.csv ends where the journal says (or is rebuilt),
   * and what the output folder refused last time is written now. False when
   * it still refuses: the run must not start (no request may go out).
   */
  async prepare(): Promise<boolean> {
    // Only once this job's own writes are done may leftover temp files be taken for a dead run's.
    await this.idle();
    // A dead process's temp files can only predate this one: looked for once per job, not at every resume.
    if (!this.#swept && (await removeStaleTempFiles(this.job.output)) > 0)
      this.ctx.log.info('removed temp files left by an interrupted run', { job: this.job.id });
    this.#swept = true;
    try {
      if (this.#csv.size === undefined && !(await this.#csv.resumeAt(this.job.record.csvEnd ?? 0))) await this.#rebuildCsv();
    } catch (error) {
      this.ctx.log.warn('could not rebuild results.csv', { job: this.job.id, code: (error as NodeJS.ErrnoException).code });
      return false;
    }
    return this.projector.retry();
  }

  /**
   * When the job stops: everything written out, the CSV rebuilt if a photo
   * was retried, summary.json now. `ending`: the state the job is about to
   * take, so summary.json says it before the job shows it.
   */
  writeNow(ending: JobChange = {}): Promise<void> {
    const writing = this.#writeAll(ending);
    this.#outputs = writing.catch(() => {});
    return writing;
  }

  async #writeAll(ending: JobChange): Promise<void> {
    await this.#outputs;
    await this.projector.idle();
    if (this.projector.broken) return;
    if (this.job.record.csvStale) {
      try {
        await this.#rebuildCsv();
      } catch (error) {
        this.ctx.log.warn('could not rebuild results.csv', { job: this.job.id, code: (error as NodeJS.ErrnoException).code });
      }
    }
    await this.writeSummary(true, ending);
  }

  /** Resolves once nothing of this job is being written (before a quit). */
  async idle(): Promise<void> {
    await this.#outputs;
    await this.projector.idle();
    await this.#summaryWrites;
  }

  /** summary.json now; `withItems` false while the job runs (see buildSummary). Written a slice of photos at a time. */
  writeSummary(withItems = true, ending: JobChange = {}): Promise<void> {
    const { record } = this.job;
    const state = { ...record, items: withItems ? record.items : [] };
    applyJobChange(state, ending);
    const counts = { ...this.job.counts() };
    const now = this.ctx.now();
    this.#summaryPolicy.wrote(this.#settled);
    this.#summaryWrites = this.#summaryWrites.then(() =>
      writeAtomicAsync(
        this.job.output.summary,
        summaryChunks(state, counts, now, withItems, (id) => this.job.path(id), nextTurn),
      ).catch((error: unknown) => {
        this.ctx.log.warn('could not write summary.json', { job: this.job.id, code: (error as NodeJS.ErrnoException).code });
      }),
    );
    return this.#summaryWrites;
  }

  /** Rows in job order, one per finished or skipped photo, results read back from the files. */
  async #rebuildCsv(): Promise<void> {
    const { record } = this.job;
    const rows: string[][] = [];
    for (const item of record.items) {
      if (!isSettled(item.status) && item.status !== 'skipped') continue;
      let doc = this.projector.pending(item.id);
      if (!doc && isAnswered(item.status) && item.outputFile) doc = await readItemDocument(this.job.output, item.outputFile);
      rows.push(this.#row({ id: item.id, ...(doc ? { doc } : {}) }));
    }
    const end = await this.#csv.rewrite(csvHeader(this.job.preset.columns), rows);
    record.csvEnd = end;
    delete record.csvStale;
    await this.ctx.store.journal(this.job.id).append({ k: 'csv', csvEnd: end });
  }

  #row(entry: Outgoing): string[] {
    const item = this.job.item(entry.id);
    return csvRow(this.job.record, item, this.job.preset.columns, entry.doc?.result, (id) => this.job.path(id));
  }
}
