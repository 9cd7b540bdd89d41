/**
 * One job in memory: its persisted record plus what only this session knows
 * (thumbnails, cached results, recent throughput). Views for the UI are
 * computed from here; saving goes through the JobStore's batched writes, and
 * summary.json / results.csv are rewritten at most every `outputsIntervalMs`
 * while items finish (and at once when the job changes state).
 */
import type { Clock } from '../../kernel/deps';
import { basename } from 'node:path';
import type { Logger } from '../../kernel/deps';
import type { Preset } from '../presets';
import { readItemDocument, writeJobOutputs } from '../output/results';
import type { JobStore } from './job-store';
import type { ItemRecord, ItemView, JobCounts, JobDetail, JobRecord, JobSummary } from '../types';

export interface JobContext {
  store: JobStore;
  clock: Clock;
  log: Logger;
  onChange(): void;
  outputsIntervalMs: number;
  maxThumbnails: number;
}

/** How many recent completions the ETA is estimated from. */
const ETA_WINDOW = 30;

export class Job {
  readonly items = new Map<string, ItemRecord>();
  readonly thumbnails = new Map<string, string>();
  /** Results of finished items, by item id (loaded from the output files on demand). */
  readonly #results = new Map<string, { result?: unknown; rawText?: string }>();
  #completions: number[] = [];
  #outputsTimer: { cancel(): void } | undefined;
  #outputsWrittenAt = 0;
  /** Items whose outcome is set in the record but not yet on disk: shown as in flight until it is. */
  readonly #unsaved = new Set<string>();

  constructor(
    readonly record: JobRecord,
    readonly preset: Preset,
    private readonly ctx: JobContext,
  ) {
    for (const item of record.items) this.items.set(item.id, item);
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
   * Records an item's outcome: the record changes at once (so the next save
   * carries it), but views keep showing the item in flight until that save
   * is on disk, so "done" on screen is never ahead of "done" on disk.
   */
  async settle(item: ItemRecord, change: () => void): Promise<void> {
    this.#unsaved.add(item.id);
    change();
    try {
      await this.persist();
    } finally {
      this.#unsaved.delete(item.id);
    }
  }

  /** Status as the UI may see it. */
  visibleStatus(item: ItemRecord): ItemRecord['status'] {
    return this.#unsaved.has(item.id) ? 'in_flight' : item.status;
  }

  counts(): JobCounts {
    const counts: JobCounts = { total: this.record.items.length, done: 0, failed: 0, skipped: 0, pending: 0, inFlight: 0 };
    for (const item of this.record.items) {
      if (this.#unsaved.has(item.id)) counts.inFlight++;
      else if (item.status === 'done') counts.done++;
      else if (item.status === 'failed') counts.failed++;
      else if (item.status === 'skipped') counts.skipped++;
      else if (item.status === 'in_flight') counts.inFlight++;
      else counts.pending++;
    }
    return counts;
  }

  noteCompletion(): void {
    this.#completions.push(this.ctx.clock.now());
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
      const cached = this.#loadResult(item);
      if (cached.result !== undefined) view.result = cached.result;
      if (cached.rawText !== undefined) view.rawText = cached.rawText;
    }
    return view;
  }

  rememberResult(item: ItemRecord, result: unknown, rawText: string | undefined): void {
    const entry: { result?: unknown; rawText?: string } = {};
    if (result !== undefined && result !== null) entry.result = result;
    if (rawText !== undefined) entry.rawText = rawText;
    this.#results.set(item.id, entry);
  }

  forgetResult(item: ItemRecord): void {
    this.#results.delete(item.id);
  }

  /** The parsed result of a finished item, for the CSV and the UI. */
  resultOf(item: ItemRecord): unknown {
    return this.#loadResult(item).result;
  }

  #loadResult(item: ItemRecord): { result?: unknown; rawText?: string } {
    let entry = this.#results.get(item.id);
    if (!entry) {
      entry = {};
      const doc = item.outputFile ? readItemDocument(this.record.spec.outputDir, item.outputFile) : undefined;
      if (doc && doc.loupe.item_id === item.id) {
        if (doc.result !== null && doc.result !== undefined) entry.result = doc.result;
        if (doc.raw_text !== undefined) entry.rawText = doc.raw_text;
      }
      this.#results.set(item.id, entry);
    }
    return entry;
  }

  keepThumbnail(item: ItemRecord, thumbnail: string): void {
    this.thumbnails.delete(item.id);
    this.thumbnails.set(item.id, thumbnail);
    // Oldest first out: the UI scrolls to what is happening now.
    while (this.thumbnails.size > this.ctx.maxThumbnails) this.thumbnails.delete(this.thumbnails.keys().next().value!);
  }

  /** Saves the record (resolves once on disk) and refreshes summary.json / results.csv soon. */
  persist(): Promise<void> {
    this.writeOutputsSoon();
    return this.ctx.store.save(this.record);
  }

  writeOutputsSoon(): void {
    if (this.#outputsTimer) return;
    const wait = Math.max(0, this.#outputsWrittenAt + this.ctx.outputsIntervalMs - this.ctx.clock.now());
    this.#outputsTimer = this.ctx.clock.setTimeout(() => {
      this.#outputsTimer = undefined;
      this.writeOutputsNow();
    }, wait);
  }

  writeOutputsNow(): void {
    this.#outputsTimer?.cancel();
    this.#outputsTimer = undefined;
    this.#outputsWrittenAt = this.ctx.clock.now();
    try {
      writeJobOutputs(this.record, { ...this.counts() }, this.preset.columns, (item) => this.resultOf(item), this.ctx.clock.now());
    } catch (error) {
      this.ctx.log.warn('could not write summary/results.csv', { job: this.id, code: (error as NodeJS.ErrnoException).code });
    }
  }

  dispose(): void {
    this.#outputsTimer?.cancel();
    this.#outputsTimer = undefined;
  }
}
