// /v1/batches for the stand-in, with a simulated progression so clients can be tested
// without waiting a day: each GET of a batch moves it one step (validating → in_progress with
// growing request_counts → finalizing → completed). Cancel behaves like the real Batch API's:
// the batch is 'cancelling' until the next GET, then 'cancelled', with an output file holding the
// requests finished before the cancel (paid for) and an error file with a `batch_cancelled` line
// for each request that never ran (and the failed ones). The input is a /v1/files JSONL of
// { custom_id, method: "POST", url: "/v1/responses", body }; answers come from the same
// validation and answer generator as /v1/responses, so a body the live route would refuse
// lands in the error file. API keys only.

import sharp from 'sharp';
import { answerText, usageFor } from './answer.ts';
import { apiError } from './errors.ts';
import type { FileStore, RouteResult } from './files.ts';
import type { DataUrlInfo } from './data-url.ts';
import { JsonStreamParser } from './json-stream.ts';
import { fullResponse } from './responses-stream.ts';
import { newId } from './sse.ts';
import { validateResponses, type ModelEntry, type ProbedImage } from './validate.ts';

export interface BatchOptions {
  /** Polls (GETs) from in_progress to all requests done. Default 3. */
  steps?: number;
  /** custom_ids whose request fails (500 in the error file), for retry tests. */
  failCustomIds?: Set<string>;
  /** Most requests per input file (the API's limit is 50,000). */
  maxRequests?: number;
  /** A slow batch: in_progress never gets past this many finished requests (until cancelled). */
  stallAfter?: number;
  /**
   * Called when POST /batches arrives, before the batch is created: a test holds it to restart
   * Loupe between upload and creation. A request whose client went away meanwhile creates nothing.
   */
  beforeCreate?: () => Promise<void>;
}

type Status = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

interface Batch {
  id: string;
  object: 'batch';
  endpoint: string;
  errors: null | { object: 'list'; data: Array<{ code: string; message: string; line: number | null; param: string | null }> };
  input_file_id: string;
  completion_window: string;
  status: Status;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string> | null;
}

interface Line {
  custom_id: string;
  body: unknown;
}

export class BatchStore {
  readonly batches = new Map<string, Batch>();
  readonly #lines = new Map<string, Line[]>();
  readonly #polls = new Map<string, number>();
  constructor(
    readonly files: FileStore,
    private readonly models: ModelEntry[],
    readonly options: BatchOptions = {},
  ) {}

  create(body: unknown): RouteResult {
    const b = body as { input_file_id?: unknown; endpoint?: unknown; completion_window?: unknown; metadata?: unknown } | null;
    if (!b || typeof b.input_file_id !== 'string') return err(400, "Missing required parameter: 'input_file_id'.", 'input_file_id');
    if (b.endpoint !== '/v1/responses' && b.endpoint !== '/v1/chat/completions' && b.endpoint !== '/v1/embeddings')
      return err(400, `Invalid value for 'endpoint'.`, 'endpoint');
    if (b.completion_window !== '24h') return err(400, "Invalid value for 'completion_window': only '24h' is supported.", 'completion_window');
    const file = this.files.get(b.input_file_id);
    if (!file) return err(404, `No such File object: ${b.input_file_id}`, 'input_file_id');
    if (file.purpose !== 'batch') return err(400, "The input file's purpose must be 'batch'.", 'input_file_id');
    const now = Math.floor(Date.now() / 1000);
    const batch: Batch = {
      id: newId('batch_', 24),
      object: 'batch',
      endpoint: b.endpoint,
      errors: null,
      input_file_id: file.id,
      completion_window: '24h',
      status: 'validating',
      output_file_id: null,
      error_file_id: null,
      created_at: now,
      in_progress_at: null,
      expires_at: now + 86_400,
      finalizing_at: null,
      completed_at: null,
      failed_at: null,
      expired_at: null,
      cancelling_at: null,
      cancelled_at: null,
      request_counts: { total: 0, completed: 0, failed: 0 },
      metadata: (b.metadata as Record<string, string> | undefined) ?? null,
    };
    const errors: NonNullable<Batch['errors']>['data'] = [];
    const lines: Line[] = [];
    const seen = new Set<string>();
    file.content
      .toString('utf8')
      .split('\n')
      .forEach((text, i) => {
        if (!text.trim()) return;
        let line: { custom_id?: unknown; method?: unknown; url?: unknown; body?: unknown };
        try {
          line = JSON.parse(text) as typeof line;
        } catch {
          errors.push({ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', line: i + 1, param: null });
          return;
        }
        if (typeof line.custom_id !== 'string' || seen.has(line.custom_id))
          errors.push({ code: 'duplicate_custom_id', message: 'custom_id is missing or not unique.', line: i + 1, param: 'custom_id' });
        else if (line.method !== 'POST') errors.push({ code: 'invalid_method', message: 'Only POST is supported.', line: i + 1, param: 'method' });
        else if (line.url !== b.endpoint)
          errors.push({ code: 'mismatched_url', message: `The url must match the batch endpoint ${String(b.endpoint)}.`, line: i + 1, param: 'url' });
        else {
          seen.add(line.custom_id);
          lines.push({ custom_id: line.custom_id, body: line.body });
        }
      });
    if (lines.length > (this.options.maxRequests ?? 50_000))
      errors.push({ code: 'too_many_requests', message: 'The file has more requests than a batch may hold.', line: null, param: null });
    if (errors.length) {
      batch.errors = { object: 'list', data: errors };
    }
    this.batches.set(batch.id, batch);
    this.#lines.set(batch.id, lines);
    this.#polls.set(batch.id, 0);
    return { status: 200, body: batch };
  }

  /** One GET: the batch moves one step. */
  async poll(id: string): Promise<RouteResult> {
    const batch = this.batches.get(id);
    if (!batch) return err(404, `No such Batch object: ${id}`, 'id');
    const lines = this.#lines.get(id)!;
    const now = Math.floor(Date.now() / 1000);
    const steps = Math.max(1, this.options.steps ?? 3);
    const polls = (this.#polls.get(id) ?? 0) + 1;
    this.#polls.set(id, polls);
    switch (batch.status) {
      case 'validating':
        if (batch.errors) {
          batch.status = 'failed';
          batch.failed_at = now;
        } else {
          batch.status = 'in_progress';
          batch.in_progress_at = now;
          batch.request_counts.total = lines.length;
        }
        break;
      case 'in_progress': {
        const done = Math.min(lines.length, this.options.stallAfter ?? lines.length, Math.round((lines.length * (polls - 1)) / steps));
        batch.request_counts.completed = done;
        if (done >= lines.length) {
          batch.status = 'finalizing';
          batch.finalizing_at = now;
        }
        break;
      }
      case 'finalizing':
        await this.#finish(batch, lines);
        batch.status = 'completed';
        batch.completed_at = now;
        break;
      case 'cancelling':
        // Requests finished before the cancel are answered (and billed); the others never run.
        await this.#finish(batch, lines.slice(0, batch.request_counts.completed), lines.slice(batch.request_counts.completed));
        batch.status = 'cancelled';
        batch.cancelled_at = now;
        break;
      default:
        break;
    }
    return { status: 200, body: batch };
  }

  cancel(id: string): RouteResult {
    const batch = this.batches.get(id);
    if (!batch) return err(404, `No such Batch object: ${id}`, 'id');
    if (batch.status === 'completed' || batch.status === 'failed' || batch.status === 'expired' || batch.status === 'cancelled') {
      return err(409, `Cannot cancel a batch with status '${batch.status}'.`, null);
    }
    batch.status = 'cancelling';
    batch.cancelling_at = Math.floor(Date.now() / 1000);
    return { status: 200, body: batch };
  }

  list(): RouteResult {
    return { status: 200, body: { object: 'list', data: [...this.batches.values()].reverse(), has_more: false } };
  }

  async #finish(batch: Batch, lines: Line[], neverRan: Line[] = []): Promise<void> {
    const out: string[] = [];
    const errs: string[] = [];
    let failed = 0;
    for (const line of lines) {
      const requestId = newId('req_', 16);
      const record = (status: number, body: unknown) =>
        JSON.stringify({
          id: newId('batch_req_', 16),
          custom_id: line.custom_id,
          response: { status_code: status, request_id: requestId, body },
          error: null,
        });
      if (this.options.failCustomIds?.has(line.custom_id)) {
        failed++;
        errs.push(
          record(500, { error: { message: 'The server had an error processing your request.', type: 'server_error', param: null, code: null } }),
        );
        continue;
      }
      const answered = await this.#answer(line.body);
      if ('error' in answered) {
        failed++;
        errs.push(record(answered.status, answered.error));
      } else out.push(record(200, answered.body));
    }
    for (const line of neverRan) {
      errs.push(
        JSON.stringify({
          id: newId('batch_req_', 16),
          custom_id: line.custom_id,
          response: null,
          error: { code: 'batch_cancelled', message: 'The batch was cancelled before this request executed.' },
        }),
      );
    }
    batch.request_counts = { total: batch.request_counts.total, completed: out.length, failed };
    if (out.length) batch.output_file_id = this.files.add(`${batch.id}_output.jsonl`, 'batch_output', Buffer.from(`${out.join('\n')}\n`)).id;
    if (errs.length) batch.error_file_id = this.files.add(`${batch.id}_error.jsonl`, 'batch_output', Buffer.from(`${errs.join('\n')}\n`)).id;
  }

  async #answer(body: unknown): Promise<{ body: unknown } | { status: number; error: unknown }> {
    const parser = new JsonStreamParser();
    let value: unknown;
    try {
      parser.write(Buffer.from(JSON.stringify(body)));
      value = parser.end();
    } catch {
      return { status: 400, error: apiError(400, 'We could not parse the JSON body of your request.').body };
    }
    const dataUrls = new Map<string, DataUrlInfo>();
    const probes = new Map<string, ProbedImage | null>();
    for (const d of parser.dataUrls) {
      dataUrls.set(d.path, d);
      let probe: ProbedImage | null = null;
      if (d.data) {
        try {
          const m = await sharp(d.data, { failOn: 'none' }).metadata();
          if (m.width && m.height && m.format) probe = { width: m.width, height: m.height, format: m.format };
        } catch {
          probe = null;
        }
      }
      d.data = null;
      probes.set(d.path, probe);
    }
    const v = validateResponses(value, { auth: 'apiKey', models: this.models, structuredOutputs: true, dataUrls, probes });
    if ('status' in v) return { status: v.status, error: v.body };
    if (v.stream) return { status: 400, error: apiError(400, 'Streaming is not supported in the Batch API.', { param: 'stream' }).body };
    const text = answerText(v.answer, null);
    const usage = usageFor(v.answer, text);
    return {
      body: fullResponse(
        {
          id: newId('resp_'),
          created_at: Math.floor(Date.now() / 1000),
          model: v.model,
          instructions: v.instructions,
          textFormat: v.textFormat,
          store: v.store,
        },
        text,
        usage,
      ),
    };
  }
}

function err(status: number, message: string, param: string | null): RouteResult {
  const e = apiError(status, message, { param });
  return { status, error: e };
}

export async function batchesRoute(store: BatchStore, method: string, route: string, body: () => Promise<unknown>): Promise<RouteResult> {
  if (method === 'POST' && route === '/batches') return store.create(await body());
  if (method === 'GET' && route === '/batches') return store.list();
  const m = /^\/batches\/([\w-]+)(\/cancel)?$/.exec(route);
  if (m && method === 'GET' && !m[2]) return store.poll(m[1]!);
  if (m && method === 'POST' && m[2]) return store.cancel(m[1]!);
  return err(404, `Invalid URL (${method} /v1${route})`, null);
}
