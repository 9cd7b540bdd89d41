/**
 * What happens to one photo of a job between "waiting" and "recorded",
 * whether it goes out as a live request (runs/live/live-run.ts) or in a batch
 * (runs/batch/batch-run.ts): hash, duplicate check, adoption of a result an
 * earlier run wrote, just-in-time preparation, and recording the answer or
 * the failure (journal first, result file after: Job.settle).
 *
 * Identical content (same SHA-256) is analysed once per job: the first item
 * with a hash owns it, later ones wait for it and then reference its result.
 * A result file this job wrote before a crash, whose "done" never reached the
 * journal, is adopted instead of being paid for twice.
 */
import { LoupeError, logCode } from '../../kernel/errors';
import type { Clock, Logger } from '../../kernel/deps';
import type { AnalysisResponse } from '../api/analysis-call';
import { readPhoto } from '../input/read-once';
import { isAnswered, isSettled, moveItem } from '../lifecycle/item-lifecycle';
import { readItemDocument } from '../output/item-file';
import type { PrepareOutcome } from '../pacing/scheduler-hooks';
import { AnalysisError } from '../records/analysis-error';
import type { ItemDocument } from '../records/item-document';
import type { ItemRecord } from '../records/item-record';
import { ContentClaims } from './content-claims';
import type { Job } from './job';
import { type PrepareTuning, type ReadyPhoto, type Upload, prepareUpload } from './prepare-upload';
import { type DocumentFields, type SentFacts, itemDocument, settleAsDuplicate } from './result-document';

/** Files above this are hashed by streaming and prepared from disk, never read whole into memory. */
const READ_ONCE_MAX_BYTES = 50 * 1024 * 1024;

export interface ItemStepsContext {
  tuning: PrepareTuning;
  clock: Clock;
  log: Logger;
  onChange(): void;
}

export class ItemSteps {
  /** Content hashes, output file names and waiting duplicates (content-claims.ts). */
  readonly #claims: ContentClaims;
  /** What was uploaded for each item (sizes only, never the bytes), for its result file. */
  readonly #sent = new Map<string, SentFacts>();

  constructor(
    private readonly job: Job,
    private readonly ctx: ItemStepsContext,
  ) {
    this.#claims = new ContentClaims(job.record.items);
  }

  /** Hash, duplicate check, adoption, preparation: what happens before a request. */
  prepare(id: string, signal: AbortSignal): Promise<PrepareOutcome<ReadyPhoto>> {
    return this.#prepare(this.job.item(id), signal);
  }

  /** A request goes out for the photo (attempt counts from 1), or it went into a batch. */
  sending(id: string, attempt: number): void {
    this.#sending(this.job.item(id), attempt);
  }

  /** Records its answer, durably; it counts as done (or unparsed) once this resolves. */
  answered(id: string, response: AnalysisResponse): Promise<void> {
    return this.#succeeded(this.job.item(id), response);
  }

  failed(id: string, error: AnalysisError): Promise<void> {
    return this.#failed(this.job.item(id), error);
  }

  /** A transient failure: it waits for another attempt, saying why. */
  retrying(id: string, error: AnalysisError): void {
    this.#retrying(this.job.item(id), error);
  }

  /** Given back untouched (pause, stop, cancel, a batch that never ran it): it waits again. */
  released(id: string): void {
    this.#released(this.job.item(id));
  }

  /** After a restart: a photo already in a batch owns its content hash and output name. */
  adoptBatched(id: string): void {
    this.#claims.adopt(this.job.item(id));
  }

  async #prepare(item: ItemRecord, signal: AbortSignal): Promise<PrepareOutcome<ReadyPhoto>> {
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
    const doc = await readItemDocument(this.job.output, item.outputFile!);
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

  async #duplicate(item: ItemRecord, owner: ItemRecord): Promise<PrepareOutcome<ReadyPhoto>> {
    item.duplicateOf = owner.id;
    if (isSettled(owner.status)) {
      await this.#settleDuplicate(item, owner);
      return { kind: 'settled' };
    }
    return { kind: 'wait', until: this.#claims.wait(owner.id, item.id) };
  }

  async #settleDuplicate(item: ItemRecord, owner: ItemRecord): Promise<void> {
    const ownerDoc = await this.job.document(owner);
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
