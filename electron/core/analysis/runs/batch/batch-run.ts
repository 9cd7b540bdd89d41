/**
 * A job's run through the Batch API, in place of the live scheduler: photos
 * are prepared exactly as for a live request (the job's own steps,
 * job/item-steps.ts: hash, duplicates, adoption, the model's image size),
 * written as JSONL part files
 * in the data folder (split at the Batch API's limits, so memory stays flat
 * however many photos), uploaded, turned into batches, polled with backoff,
 * and each answer recorded through the same path as a live answer (per-photo
 * JSON, summary.json, results.csv).
 *
 * The batch ids and file ids live in the job record (`record.batch`, saved
 * with the job as soon as each upload and each batch creation returns), so
 * after a restart the run creates the batch from a file already uploaded and
 * polls the batches already created, instead of paying again. Pause stops
 * polling (the batches go on server-side); quitting only stops polling;
 * cancel stops this run, and the engine then cancels the batches and still
 * collects what they had finished (cancelled-batches.ts).
 *
 * Exposes a `scheduler`-shaped handle (pause, stop, cancel) so the
 * engine drives it like a live run.
 */
import { openAsBlob } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock, Logger } from '../../../kernel/deps';
import { buildBody } from '../../api/request-body';
import { ItemSteps } from '../../job/item-steps';
import type { Job } from '../../job/job';
import type { PrepareTuning } from '../../job/prepare-upload';
import { isOpen, moveItem } from '../../lifecycle/item-lifecycle';
import { RetryState } from '../../pacing/retry-state';
import type { RunOutcome } from '../../pacing/scheduler';
import { AnalysisError, outputRefused } from '../../records/analysis-error';
import { type BatchState, inOpenBatch } from '../../records/batch-state';
import type { BatchApi } from './batch-api';
import { BatchJob, type BatchUpload, type LineOutcome } from './batch-job';
import { BATCH_MAX_FILE_BYTES, BATCH_MAX_REQUESTS, lineText } from './batch-lines';

export interface BatchRunContext {
  api: BatchApi;
  /** How photos are prepared (as for a live request). */
  tuning: PrepareTuning;
  clock: Clock;
  /** Where part files are written: `<dataDir>/batches/<jobId>`. */
  dir: string;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  log: Logger;
  onChange(): void;
  /** The engine is quitting: stop polling, leave the batches running. */
  disposing(): boolean;
  prepareParallel: number;
  pollMs?: number;
  maxPollMs?: number;
  limits?: { maxRequests: number; maxBytes: number };
}

export type BatchRunPhase = 'uploading' | 'waiting' | 'collecting';

export class BatchRun {
  readonly #abort = new AbortController();
  /** What the run is doing now, for the job's card. */
  phase: BatchRunPhase = 'uploading';
  /** Requests OpenAI reports finished, of those in this run's batches. */
  progress: { done: number; total: number } | null = null;
  /** The part file being uploaded, while one is. */
  upload: BatchUpload | null = null;
  #outcome: Exclude<RunOutcome, 'drained'> | undefined;
  #stopError: AnalysisError | undefined;
  readonly scheduler: { pause(): void; stop(): void; cancel(): void };
  /** Retried lines go into the next batch, never a live retry: this stays empty (the engine reads it for every run). */
  readonly retries = new RetryState();

  readonly #steps: ItemSteps;

  constructor(
    private readonly job: Job,
    private readonly pending: string[],
    private readonly ctx: BatchRunContext,
  ) {
    this.#steps = new ItemSteps(job, ctx);
    this.scheduler = {
      pause: () => this.#halt('paused'),
      stop: () => this.#halt('stopped'),
      // The batches themselves are cancelled by the engine, which then collects what they had finished (collectCancelled).
      cancel: () => this.#halt(this.ctx.disposing() ? 'paused' : 'cancelled'),
    };
  }

  get stopError(): AnalysisError | undefined {
    return this.#stopError;
  }

  /** The output folder refused a write: stop polling; the answers already recorded are written on resume. */
  stopForOutput(): void {
    this.#stopError ??= outputRefused();
    this.#halt('stopped');
  }

  #halt(outcome: Exclude<RunOutcome, 'drained'>): void {
    this.#outcome ??= outcome;
    this.#abort.abort();
  }

  #save = async (state: BatchState): Promise<void> => {
    this.job.record.batch = state;
    // A snapshot, not a journal line: the batch's ids must survive a restart before anything is paid for.
    await this.job.snapshot();
  };

  async run(): Promise<RunOutcome> {
    const signal = this.#abort.signal;
    const waits: Promise<void>[] = [];
    try {
      const saved = this.job.record.batch;
      if (saved && saved.parts.some((p) => !p.collected)) {
        // A restart: poll the batches already paid for, and create the batch of a file uploaded just before
        // the restart from that file (uploaded again only when the Batch API no longer has it).
        const inBatch = new Set(saved.parts.filter((p) => !p.collected).flatMap((p) => p.customIds));
        for (const id of inBatch) {
          if (!isOpen(this.job.item(id).status)) continue;
          this.#steps.adoptBatched(id);
          this.#steps.sending(id, 1);
        }
        const batch = new BatchJob(this.#deps(), saved);
        if (saved.parts.some((p) => !p.batchId)) this.#setPhase('uploading');
        const lost = new Set(await batch.resume(signal));
        for (const id of lost) moveItem(this.job.item(id), { type: 'release' });
        this.#setPhase('waiting');
        await this.#poll(batch, signal);
        this.pending.splice(0, this.pending.length, ...this.pending.filter((id) => !inBatch.has(id) || lost.has(id)));
      }
      while (this.pending.length && !signal.aborted) {
        this.#setPhase('uploading');
        const ids = this.pending.splice(0, this.pending.length);
        const files = await this.#prepareParts(ids, waits, signal);
        if (!files.length) continue;
        this.job.record.batch = { version: 1, parts: [] };
        const batch = new BatchJob(this.#deps());
        // Each file id is saved with the job as soon as its upload returns (BatchJob.submit → #save).
        await batch.submit(
          await Promise.all(files.map(async (f) => ({ customIds: f.customIds, content: await openAsBlob(f.path, { type: 'application/jsonl' }) }))),
          signal,
        );
        await rm(this.ctx.dir, { recursive: true, force: true });
        this.#setPhase('waiting');
        await this.#poll(batch, signal);
      }
      await Promise.all(waits);
      return this.#outcome ?? 'drained';
    } catch (error) {
      if (signal.aborted) return this.#outcome ?? 'paused';
      const failure =
        error instanceof AnalysisError
          ? error
          : new AnalysisError('batch_failed', 'The Batch API could not take this job.', { disposition: 'stop_job' });
      this.ctx.log.warn('batch run stopped', { job: this.job.id, ...failure.logFields() });
      this.#stopError = failure;
      return 'stopped';
    } finally {
      // Photos not in a batch and not recorded go back to the queue (a file uploaded but not yet a batch is resumed from record.batch).
      const batched = inOpenBatch(this.job.record.batch);
      for (const item of this.job.record.items) if (!batched(item)) moveItem(item, { type: 'release' });
    }
  }

  #deps() {
    const { spec } = this.job.record;
    return {
      api: this.ctx.api,
      sleep: (ms: number, signal?: AbortSignal) => this.ctx.sleep(ms, signal),
      save: this.#save,
      validate: this.job.preset.validate,
      structured: !!this.job.preset.schema,
      jobId: this.job.id,
      ...(this.ctx.pollMs !== undefined ? { pollMs: this.ctx.pollMs } : {}),
      ...(this.ctx.maxPollMs !== undefined ? { maxPollMs: this.ctx.maxPollMs } : {}),
      ...(this.ctx.limits ? { limits: this.ctx.limits } : {}),
      onPhase: (phase: BatchRunPhase) => this.#setPhase(phase),
      onUpload: (upload: BatchUpload) => {
        this.upload = upload.sentBytes < upload.totalBytes ? upload : null;
        this.ctx.onChange();
      },
      model: spec.model,
    };
  }

  #setPhase(phase: BatchRunPhase): void {
    if (this.phase === phase) return;
    this.phase = phase;
    this.ctx.onChange();
  }

  async #poll(batch: BatchJob, signal: AbortSignal): Promise<void> {
    await batch.run(lineRecorder(this.job, this.#steps), signal, (done, total) => {
      this.progress = { done, total };
      this.ctx.onChange();
    });
  }

  /** Prepares photos (a few at a time) into JSONL part files at the limits; returns the files. */
  async #prepareParts(ids: string[], waits: Promise<void>[], signal: AbortSignal): Promise<Array<{ path: string; customIds: string[] }>> {
    await mkdir(this.ctx.dir, { recursive: true, mode: 0o700 });
    const maxRequests = this.ctx.limits?.maxRequests ?? BATCH_MAX_REQUESTS;
    const maxBytes = Math.floor((this.ctx.limits?.maxBytes ?? BATCH_MAX_FILE_BYTES) * 0.99);
    const files: Array<{ path: string; customIds: string[]; bytes: number }> = [];
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    let writing = Promise.resolve();
    const { spec } = this.job.record;
    const structured = !!this.job.preset.schema;
    const append = (id: string, text: string): Promise<void> => {
      writing = writing.then(async () => {
        const size = Buffer.byteLength(text) + 1;
        let file = files.at(-1);
        if (!file || !handle || file.customIds.length >= maxRequests || file.bytes + size > maxBytes) {
          await handle?.close();
          file = { path: join(this.ctx.dir, `part-${files.length + 1}.jsonl`), customIds: [], bytes: 0 };
          files.push(file);
          handle = await open(file.path, 'w', 0o600);
        }
        await handle.write(`${text}\n`);
        file.customIds.push(id);
        file.bytes += size;
      });
      return writing;
    };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length && !signal.aborted) {
        const id = ids[next++]!;
        const outcome = await this.#steps.prepare(id, signal);
        if (outcome.kind === 'wait') waits.push(outcome.until);
        if (outcome.kind !== 'send') continue;
        const { prepared } = outcome.payload;
        const body = {
          ...buildBody(
            { model: spec.model, preset: this.job.preset, image: { mime: prepared.mime, data: prepared.data }, detail: spec.detail },
            structured,
          ),
          stream: false,
        };
        await append(id, lineText({ customId: id, body }));
        this.#steps.sending(id, 1);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, this.ctx.prepareParallel) }, worker));
      await writing;
    } finally {
      await handle?.close().catch(() => {});
    }
    signal.throwIfAborted();
    return files;
  }
}

/**
 * Records each line through the same path as a live answer. A line whose
 * photo is already settled (its part was being read when Loupe stopped, and
 * is read again) is not recorded twice.
 */
export function lineRecorder(job: Job, steps: ItemSteps): (outcome: LineOutcome) => Promise<void> {
  return async (outcome) => {
    if (!isOpen(job.item(outcome.customId).status)) return;
    if (outcome.ok) await steps.answered(outcome.customId, outcome.response);
    else await steps.failed(outcome.customId, outcome.error);
  };
}
