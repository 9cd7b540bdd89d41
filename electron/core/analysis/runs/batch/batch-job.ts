/**
 * One analysis job through the Batch API (half price, results within 24 h):
 * lines are split into files at the Batch API's limits, each file uploaded
 * and turned into a batch for `/v1/responses`, the batches polled with
 * backoff, and every line's answer mapped back to its photo by `custom_id`.
 *
 * Everything needed to pick up after a restart — file ids, batch ids, which
 * photos are in which batch, which batches were collected — is one plain
 * `BatchState` object (records/batch-state.ts) handed to `save` after every
 * step; the engine keeps it in the job's record (`record.batch`).
 */
import { AnalysisError } from '../../records/analysis-error';
import { incompleteMessage } from '../../api/classify';
import { readAnswer, type Validator } from '../../schema/json-answer';
import type { AnalysisResponse } from '../../api/analysis-call';
import type { BatchPart, BatchState } from '../../records/batch-state';
import { type BatchApi, type BatchObject, TERMINAL } from './batch-api';
import { type BatchLine, splitIntoFiles } from './batch-lines';

export type LineOutcome = { customId: string; ok: true; response: AnalysisResponse } | { customId: string; ok: false; error: AnalysisError };

export interface BatchUpload {
  part: number;
  parts: number;
  sentBytes: number;
  totalBytes: number;
}

export interface BatchJobDeps {
  api: BatchApi;
  /** Waits (a Clock-driven timer in the app, instant in tests); rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  save(state: BatchState): Promise<void>;
  /** Checks an answer against the preset's schema (prompted JSON and structured answers alike). */
  validate: Validator | null;
  structured: boolean;
  jobId: string;
  /** First poll interval, growing ×1.5 to `maxPollMs`. */
  pollMs?: number;
  maxPollMs?: number;
  limits?: { maxRequests: number; maxBytes: number };
  /** Polling (`waiting`) or reading a finished batch's files (`collecting`). */
  onPhase?(phase: 'waiting' | 'collecting'): void;
  /** Bytes of part `part` (of `parts`) sent so far, as its upload streams. */
  onUpload?(upload: BatchUpload): void;
}

export class BatchJob {
  #state: BatchState;

  constructor(
    private readonly deps: BatchJobDeps,
    state?: BatchState,
  ) {
    this.#state = state ?? { version: 1, parts: [] };
  }

  get state(): BatchState {
    return this.#state;
  }

  /** Whether batches were already created (a restart resumes polling instead of submitting again). */
  get submitted(): boolean {
    return this.#state.parts.length > 0 && this.#state.parts.every((p) => p.batchId);
  }

  /**
   * Uploads the files and creates the batches; resumes a half-done submission
   * (files uploaded, batches not yet created). `lines` are split here; or
   * pass files already written at the limits (`content` a string or a Blob).
   */
  async submit(lines: BatchLine[] | Array<{ customIds: string[]; content: string | Blob }>, signal?: AbortSignal): Promise<void> {
    if (this.#state.parts.length === 0) {
      const files =
        lines.length && 'customId' in lines[0]!
          ? splitIntoFiles(lines as BatchLine[], this.deps.limits)
          : (lines as Array<{ customIds: string[]; content: string | Blob }>);
      for (const [index, file] of files.entries()) {
        const onProgress = (sentBytes: number, totalBytes: number) =>
          this.deps.onUpload?.({ part: index + 1, parts: files.length, sentBytes, totalBytes });
        const fileId = await this.deps.api.uploadJsonl(`loupe-${this.deps.jobId}-${index + 1}.jsonl`, file.content, signal, onProgress);
        this.#state.parts.push({ customIds: file.customIds, fileId });
        await this.deps.save(this.#state);
      }
    }
    for (const [index, part] of this.#state.parts.entries()) {
      if (part.batchId) continue;
      const batch = await this.deps.api.create(part.fileId, { loupe_job: this.deps.jobId, part: String(index + 1) }, signal);
      part.batchId = batch.id;
      part.status = batch.status;
      await this.deps.save(this.#state);
    }
  }

  /**
   * After a restart between upload and batch creation: creates the batches
   * from the files already uploaded (nothing is uploaded again), dropping the
   * parts whose file is gone. Returns the photos of the dropped parts, to be
   * prepared and uploaded again.
   */
  async resume(signal?: AbortSignal): Promise<string[]> {
    const lost: string[] = [];
    for (const part of [...this.#state.parts]) {
      if (part.batchId || part.collected) continue;
      if (await this.deps.api.fileExists(part.fileId, signal)) continue;
      lost.push(...part.customIds);
      this.#state.parts = this.#state.parts.filter((p) => p !== part);
    }
    if (lost.length) await this.deps.save(this.#state);
    if (this.#state.parts.length) await this.submit([], signal);
    return lost;
  }

  /** Polls until every batch has ended, reporting each line once. Resolves when all parts are collected. */
  async run(
    report: (outcome: LineOutcome) => Promise<void>,
    signal?: AbortSignal,
    onProgress?: (done: number, total: number) => void,
  ): Promise<void> {
    let wait = this.deps.pollMs ?? 10_000;
    const maxWait = this.deps.maxPollMs ?? 5 * 60_000;
    for (;;) {
      const open = this.#state.parts.filter((p) => p.batchId && !p.collected);
      if (open.length === 0) return;
      let changed = false;
      let done = 0;
      let total = 0;
      for (const part of this.#state.parts) {
        if (!part.batchId) continue;
        if (part.collected) {
          done += part.customIds.length;
          total += part.customIds.length;
          continue;
        }
        const batch = await this.deps.api.get(part.batchId, signal);
        if (batch.status !== part.status) {
          part.status = batch.status;
          changed = true;
        }
        total += batch.request_counts?.total || part.customIds.length;
        done += (batch.request_counts?.completed ?? 0) + (batch.request_counts?.failed ?? 0);
        if (TERMINAL.has(batch.status)) {
          this.deps.onPhase?.('collecting');
          await this.#collect(part, batch, report, signal);
          this.deps.onPhase?.('waiting');
          part.collected = true;
          changed = true;
        }
      }
      if (changed) await this.deps.save(this.#state);
      onProgress?.(done, total);
      if (this.#state.parts.every((p) => !p.batchId || p.collected)) return;
      await this.deps.sleep(wait, signal);
      wait = changed ? (this.deps.pollMs ?? 10_000) : Math.min(maxWait, wait * 1.5);
    }
  }

  /** Cancels every batch still running; lines already answered are still reported by `run`. */
  async cancel(): Promise<void> {
    this.#state.cancelled = true;
    for (const part of this.#state.parts) {
      if (!part.batchId || part.collected || (part.status && TERMINAL.has(part.status))) continue;
      try {
        const batch = await this.deps.api.cancel(part.batchId);
        part.status = batch.status;
      } catch {
        /* already ending; run() collects whatever it ended with */
      }
    }
    await this.deps.save(this.#state);
  }

  async #collect(part: BatchPart, batch: BatchObject, report: (outcome: LineOutcome) => Promise<void>, signal?: AbortSignal): Promise<void> {
    const seen = new Set<string>();
    const files = [batch.output_file_id, batch.error_file_id].filter((id): id is string => !!id);
    for (const fileId of files) {
      const text = await this.deps.api.content(fileId, signal);
      for (const raw of text.split('\n')) {
        if (!raw.trim()) continue;
        let line: {
          custom_id?: string;
          response?: { status_code?: number; request_id?: string; body?: unknown } | null;
          error?: { code?: string; message?: string } | null;
        };
        try {
          line = JSON.parse(raw) as typeof line;
        } catch {
          continue;
        }
        const customId = line.custom_id;
        if (!customId || !part.customIds.includes(customId) || seen.has(customId)) continue;
        seen.add(customId);
        await report(this.#outcome(customId, line));
      }
    }
    // Lines the batch never answered (cancelled, expired, failed validation): failed, to be retried normally.
    const why =
      batch.status === 'cancelled'
        ? 'The batch was cancelled before this photo was analysed.'
        : batch.status === 'expired'
          ? 'The batch expired before this photo was analysed.'
          : batch.status === 'failed'
            ? `The Batch API refused the batch${batch.errors?.data?.[0]?.message ? `: ${batch.errors.data[0].message}` : '.'}`
            : 'The batch finished without an answer for this photo.';
    for (const customId of part.customIds) {
      if (!seen.has(customId))
        await report({
          customId,
          ok: false,
          error: new AnalysisError(batch.status === 'cancelled' ? 'cancelled' : 'batch_incomplete', why, { disposition: 'fail_item' }),
        });
    }
  }

  #outcome(
    customId: string,
    line: { response?: { status_code?: number; request_id?: string; body?: unknown } | null; error?: { code?: string; message?: string } | null },
  ): LineOutcome {
    const status = line.response?.status_code ?? 0;
    const requestId = line.response?.request_id;
    if (line.error?.code === 'batch_cancelled' || line.error?.code === 'batch_expired') {
      // Never run: the batch was cancelled or expired first (nothing was paid for this line).
      const cancelled = line.error.code === 'batch_cancelled';
      return {
        customId,
        ok: false,
        error: new AnalysisError(
          cancelled ? 'cancelled' : 'batch_incomplete',
          cancelled ? 'The batch was cancelled before this photo was analysed.' : 'The batch expired before this photo was analysed.',
          { disposition: 'fail_item' },
        ),
      };
    }
    if (line.error || status !== 200) {
      const apiError = (line.response?.body as { error?: { message?: string; code?: string } } | undefined)?.error;
      return {
        customId,
        ok: false,
        error: new AnalysisError(
          status >= 500 || !status ? 'server_error' : 'invalid_request',
          apiError?.message ?? line.error?.message ?? `The Batch API answered ${status} for this photo.`,
          {
            disposition: 'fail_item',
            status,
            ...(requestId ? { requestId } : {}),
            ...(apiError?.code || line.error?.code ? { apiCode: (apiError?.code ?? line.error?.code)! } : {}),
          },
        ),
      };
    }
    const body = line.response!.body as {
      status?: string;
      incomplete_details?: { reason?: string } | null;
      model?: string;
      output?: Array<{ type: string; content?: Array<{ type: string; text?: string }> }>;
      usage?: { input_tokens?: number; output_tokens?: number };
    };
    const text = (body.output ?? [])
      .filter((item) => item.type === 'message')
      .flatMap((item) => item.content ?? [])
      .map((part) => (part.type === 'output_text' ? (part.text ?? '') : ''))
      .join('');
    if (body.status && body.status !== 'completed') {
      // Paid for: the partial answer, its usage and request id go into the photo's result file.
      const usage = { input_tokens: body.usage?.input_tokens ?? 0, output_tokens: body.usage?.output_tokens ?? 0 };
      const reason = body.incomplete_details?.reason;
      return {
        customId,
        ok: false,
        error: new AnalysisError(
          'response_incomplete',
          reason ? incompleteMessage(reason) : `The model did not finish this photo (${body.status}).`,
          { disposition: 'fail_item', partialText: text, usage, ...(requestId ? { requestId } : {}) },
        ),
      };
    }
    const answer = readAnswer(text, this.deps.validate);
    const response: AnalysisResponse = {
      text,
      usage: { input_tokens: body.usage?.input_tokens ?? 0, output_tokens: body.usage?.output_tokens ?? 0 },
      requestId: requestId ?? null,
      model: body.model ?? '',
      structured: this.deps.structured,
    };
    if (answer.parsed !== undefined) response.parsed = answer.parsed;
    if (answer.parseError !== undefined) response.parseError = answer.parseError;
    return { customId, ok: true, response };
  }
}
