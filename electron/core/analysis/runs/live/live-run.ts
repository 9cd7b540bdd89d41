/**
 * One run of one job: the scheduler's hooks, i.e. everything that happens to
 * a photo between "pending" and "recorded": hash, duplicate check, just-in-
 * time preparation, the API call, and writing the result file before the job
 * file says "done".
 *
 * Identical content (same SHA-256) is analysed once per job: the first item
 * with a hash owns it, later ones wait for it and then reference its result.
 * Outcomes go to the job's journal first (Job.settle); the result file is
 * written from there. A result file from an older Loupe whose "done" never
 * reached the job file is adopted instead of being paid for twice.
 */
import { LoupeError, logCode } from '../../../kernel/errors';
import { AnalysisError } from '../../records/analysis-error';
import { readPhoto } from '../../input/read-once';
import type { Job } from '../../job/job';
import type { AnalysisResponse } from '../../api/analysis-call';
import { type ItemDocument, readItemDocument } from '../../output/results';
export type { JobRunContext, RunTuning, Sent } from './run-context';
import { ContentClaims } from '../../job/content-claims';
import { type DocumentFields, type SentFacts, itemDocument, settleAsDuplicate } from '../../job/result-document';
import { Scheduler, type PrepareOutcome, type RunOutcome, type SchedulerHooks } from '../../pacing/scheduler';
import type { JobRunContext, Sent } from './run-context';
import { type RequestShape, TokenEstimator } from '../../pacing/token-estimate';
import { type Upload, prepareUpload } from '../../job/prepare-upload';
import { isAnswered, isSettled, moveItem } from '../../lifecycle/item-lifecycle';
import type { ItemRecord } from '../../records/job-record';
import { RetryState, trackRetries } from '../../pacing/retry-state';

/** Files above this are hashed by streaming and prepared from disk, never read whole into memory. */
const READ_ONCE_MAX_BYTES = 50 * 1024 * 1024;

export class JobRun {
  readonly scheduler: Scheduler<Sent, AnalysisResponse>;
  /** Requests waiting to be sent again, for the job's summary. */
  readonly retries = new RetryState();
  /** Content hashes, output file names and waiting duplicates (content-claims.ts). */
  readonly #claims: ContentClaims;
  #stopError: AnalysisError | undefined;
  /** Tokens per request, calibrated from each answer's usage, so a token limit is paced before it refuses. */
  readonly #tokens = new TokenEstimator();
  /** Request shapes of items in flight, to calibrate the token estimate from each answer's usage. */
  #shapes = new Map<string, RequestShape>();
  /** What was uploaded for each item (sizes only, never the bytes), for its result file. */
  #sent = new Map<string, SentFacts>();

  constructor(
    private readonly job: Job,
    itemIds: string[],
    private readonly ctx: JobRunContext,
  ) {
    this.#claims = new ContentClaims(job.record.items);
    const hooks: SchedulerHooks<Sent, AnalysisResponse> = {
      prepare: (id, signal) => this.#prepare(job.item(id), signal),
      sending: (id, attempt) => this.#sending(job.item(id), attempt),
      cost: (sent) => ({ tokens: this.#tokens.estimate(sent.shape), bytes: sent.prepared.data.length }),
      send: (id, sent, signal, onAdmitted) => {
        this.#shapes.set(id, sent.shape);
        return ctx.client.analyse({
          model: job.record.spec.model,
          preset: job.preset,
          image: { mime: sent.prepared.mime, data: sent.prepared.data },
          detail: job.record.spec.detail,
          signal,
          onAdmitted,
        });
      },
      succeeded: (id, response) => {
        const shape = this.#shapes.get(id);
        this.#shapes.delete(id);
        if (shape) this.#tokens.observe(shape, response.usage);
        return this.#succeeded(job.item(id), response);
      },
      failed: (id, error) => this.#failed(job.item(id), error),
      retrying: (id, error) => this.#retrying(job.item(id), error),
      released: (id) => this.#released(job.item(id)),
      stop: (error) => {
        this.#stopError = error;
        ctx.log.warn('analysis job stopped', { job: job.id, ...error.logFields() });
      },
      changed: () => ctx.onChange(),
    };
    this.scheduler = new Scheduler(itemIds, trackRetries(hooks, this.retries), ctx.governor, ctx.tuning, ctx.clock);
  }

  /** The output folder refused a write: no further request goes out; what is in flight is still recorded. */
  stopForOutput(): void {
    this.#stopError ??= new AnalysisError(
      'output_unwritable',
      'Loupe can’t write into the output folder. Check that it exists and has space, then resume the job: the answers already received will be written without asking again.',
      {
        disposition: 'stop_job',
      },
    );
    this.scheduler.stop();
  }

  /** The failure that stopped the job, when the outcome is 'stopped'. */
  get stopError(): AnalysisError | undefined {
    return this.#stopError;
  }

  run(): Promise<RunOutcome> {
    return this.scheduler.start();
  }

  // ---- the same steps for the Batch API (batch/batch-run.ts) ----------------

  /** Hash, duplicate check, adoption, preparation: what happens before a live request. */
  prepareForBatch(id: string, signal: AbortSignal): Promise<PrepareOutcome<Sent>> {
    return this.#prepare(this.job.item(id), signal);
  }

  /** The photo went into a batch. */
  markSent(id: string): void {
    this.#sending(this.job.item(id), 1);
  }

  recordAnswer(id: string, response: AnalysisResponse): Promise<void> {
    return this.#succeeded(this.job.item(id), response);
  }

  recordFailure(id: string, error: AnalysisError): Promise<void> {
    return this.#failed(this.job.item(id), error);
  }

  /** A photo sent in a batch that ended without running it (cancelled): it waits again. */
  release(id: string): void {
    this.#released(this.job.item(id));
  }

  /** After a restart: a photo already in a batch owns its content hash and output name. */
  adoptBatched(id: string): void {
    this.#claims.adopt(this.job.item(id));
  }

  // ---- hooks ---------------------------------------------------------------

  async #prepare(item: ItemRecord, signal: AbortSignal): Promise<PrepareOutcome<Sent>> {
    // Hashed again on every run: a photo edited between runs is a different photo.
    let hash: string;
    let bytes: Buffer | undefined;
    try {
      // One open, stat and read for hashing and preparing (read-once.ts).
      ({ sha256: hash, data: bytes } = await readPhoto(item.path, { maxBytes: READ_ONCE_MAX_BYTES, signal }));
    } catch (error) {
      if (signal.aborted) throw error;
      await this.#failed(
        item,
        new AnalysisError('unreadable_image', 'Loupe couldn’t read this file. It may have been moved or deleted.', { disposition: 'fail_item' }),
      );
      return { kind: 'settled' };
    }
    if (item.hash !== hash) {
      this.#claims.release(item);
      delete item.outputFile;
      item.hash = hash;
    }
    const owner = this.#claims.ownerOf(hash);
    if (owner && owner !== item.id) return this.#duplicate(item, this.job.item(owner));
    this.#claims.own(hash, item.id);
    item.outputFile = this.#claims.claim(item, hash);

    if (await this.#adopt(item)) return { kind: 'settled' };

    let upload: Upload;
    try {
      upload = await prepareUpload(item.path, bytes, this.job, this.ctx.tuning);
    } catch (error) {
      const loupe = error instanceof LoupeError ? error : new LoupeError('unreadable_image', 'Loupe couldn’t read this image.');
      await this.#failed(item, new AnalysisError(loupe.code, loupe.message, { disposition: 'fail_item' }));
      return { kind: 'settled' };
    }
    signal.throwIfAborted();
    if (upload.prepared.thumbnail) this.job.keepThumbnail(item, upload.prepared.thumbnail);
    this.#sent.set(item.id, upload.facts);
    return { kind: 'send', payload: { prepared: upload.prepared, shape: upload.shape } };
  }

  /** A result file this job wrote for this photo before a crash, but never marked done. */
  async #adopt(item: ItemRecord): Promise<boolean> {
    const doc = readItemDocument(this.job.record.spec.outputDir, item.outputFile!);
    if (!doc || doc.loupe.job_id !== this.job.id || doc.loupe.item_id !== item.id || doc.source.sha256 !== item.hash) return false;
    // An unparsed answer is not adopted: the item is pending again only because "Retry unparsed" asked for a new one.
    if (doc.status !== 'ok') return false;
    if (doc.model !== this.job.record.spec.model || doc.preset !== this.job.record.spec.preset) return false;
    await this.job.settle(item, () => {
      moveItem(item, { type: 'answer', parsed: true });
      item.finishedAt = Date.parse(doc.finished_at) || this.ctx.clock.now();
      item.error = undefined;
      if (doc.parse_error) item.parseError = doc.parse_error;
      if (doc.usage) {
        item.usage = doc.usage;
        this.job.record.tokens.input += doc.usage.input_tokens;
        this.job.record.tokens.output += doc.usage.output_tokens;
      }
      if (doc.request_id) item.requestId = doc.request_id;
    });
    this.ctx.log.info('result adopted from an earlier run', { job: this.job.id, item: item.id });
    this.#releaseWaiters(item);
    this.ctx.onChange();
    return true;
  }

  async #duplicate(item: ItemRecord, owner: ItemRecord): Promise<PrepareOutcome<Sent>> {
    item.duplicateOf = owner.id;
    if (isSettled(owner.status)) {
      await this.#settleDuplicate(item, owner);
      return { kind: 'settled' };
    }
    return { kind: 'wait', until: this.#claims.wait(owner.id, item.id) };
  }

  async #settleDuplicate(item: ItemRecord, owner: ItemRecord): Promise<void> {
    const ownerDoc = this.job.documentOf(owner);
    await this.job.settle(item, () => {
      item.outputFile = this.#claims.claim(item, item.hash!);
      return this.#document(item, settleAsDuplicate(item, owner, ownerDoc, this.ctx.clock.now()));
    });
    if (isAnswered(owner.status)) this.job.noteCompletion();
    this.ctx.onChange();
  }

  #sending(item: ItemRecord, attempt: number): void {
    const now = this.ctx.clock.now();
    // Not journaled: after a crash an item in flight is pending again either way.
    moveItem(item, { type: 'send' });
    item.attempts = attempt;
    item.startedAt ??= now;
    this.job.record.startedAt ??= now;
    this.ctx.onChange();
  }

  async #succeeded(item: ItemRecord, response: AnalysisResponse): Promise<void> {
    const result = response.parsed !== undefined ? response.parsed : this.job.preset.schema ? null : response.text;
    await this.job.settle(item, () => {
      moveItem(item, { type: 'answer', parsed: !response.parseError });
      item.finishedAt = this.ctx.clock.now();
      item.usage = response.usage;
      item.error = undefined;
      if (response.requestId) item.requestId = response.requestId;
      if (response.parseError) item.parseError = response.parseError;
      else delete item.parseError;
      this.job.record.tokens.input += response.usage.input_tokens;
      this.job.record.tokens.output += response.usage.output_tokens;
      return this.#document(item, {
        status: response.parseError ? 'unparsed' : 'ok',
        result,
        ...(response.parseError ? { raw_text: response.text, parse_error: response.parseError } : {}),
        usage: response.usage,
        request_id: response.requestId,
        structured_output: response.structured,
      });
    });
    this.#sent.delete(item.id);
    this.job.noteCompletion();
    this.#releaseWaiters(item);
    this.ctx.onChange();
  }

  async #failed(item: ItemRecord, error: AnalysisError): Promise<void> {
    this.ctx.log.warn('photo failed', { job: this.job.id, item: item.id, ...error.logFields() });
    await this.job.settle(item, () => {
      moveItem(item, { type: 'fail' });
      item.finishedAt = this.ctx.clock.now();
      // A network failure that ends here has used up its retries: say so, never "it will retry".
      const gaveUp = error.code === 'network' && error.details.disposition === 'backoff' && (item.attempts ?? 0) > 1;
      item.error = { code: error.code, message: gaveUp ? `Loupe couldn’t reach the API after ${item.attempts} attempts.` : error.message };
      if (error.details.requestId) item.requestId = error.details.requestId;
      const partial = error.details.partialText;
      // A complete answer that Loupe then failed on was paid for: count it.
      const usage = error.details.usage;
      if (usage) {
        item.usage = usage;
        this.job.record.tokens.input += usage.input_tokens;
        this.job.record.tokens.output += usage.output_tokens;
      }
      if (item.hash) {
        item.outputFile = this.#claims.claim(item, item.hash);
        return this.#document(item, {
          status: 'failed',
          result: null,
          error: item.error,
          ...(partial ? { raw_text: partial } : {}),
          request_id: error.details.requestId ?? null,
          usage: usage ?? null,
        });
      }
    });
    this.#sent.delete(item.id);
    this.#shapes.delete(item.id);
    this.#releaseWaiters(item);
    this.ctx.onChange();
  }

  #retrying(item: ItemRecord, error: AnalysisError): void {
    moveItem(item, { type: 'retryLater' });
    item.error = { code: error.code, message: `${error.message} Retrying.` };
    this.ctx.onChange();
  }

  #released(item: ItemRecord): void {
    moveItem(item, { type: 'release' });
    // Made again when the photo is prepared again: nothing per photo outlives its turn.
    this.#sent.delete(item.id);
    this.#shapes.delete(item.id);
    this.#claims.stopWaiting(item.id);
    this.ctx.onChange();
  }

  #releaseWaiters(owner: ItemRecord): void {
    for (const waiter of this.#claims.takeWaiters(owner.id)) {
      void this.#settleDuplicate(this.job.item(waiter.id), owner)
        .catch((error: unknown) => this.ctx.log.warn('could not record a duplicate', { job: this.job.id, code: logCode(error) }))
        .finally(waiter.resolve);
    }
  }

  /** The item's JSON as it will be journaled and written out (item-document.ts). */
  #document(item: ItemRecord, fields: DocumentFields): ItemDocument {
    return itemDocument(this.job.record, item, this.#sent.get(item.id), this.ctx.clock.now(), fields);
  }
}
