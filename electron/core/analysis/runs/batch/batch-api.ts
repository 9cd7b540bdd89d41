/**
 * The Batch API over plain fetch: upload a JSONL file (`/v1/files`, purpose
 * "batch"), create a batch for `/v1/responses`, read and cancel it, download
 * its output and error files. Offered only to API-key accounts: ChatGPT-plan
 * sign-ins have no Files or Batches routes.
 */
import { randomUUID } from 'node:crypto';
import { AnalysisError } from '../../records/analysis-error';
import type { BatchStatus } from '../../records/batch-state';

export interface BatchObject {
  id: string;
  status: BatchStatus;
  input_file_id: string;
  output_file_id: string | null;
  error_file_id: string | null;
  request_counts?: { total: number; completed: number; failed: number };
  errors?: null | { data?: Array<{ code?: string; message?: string; line?: number | null }> };
}

export const TERMINAL: ReadonlySet<BatchStatus> = new Set(['failed', 'completed', 'expired', 'cancelled']);

export interface BatchApiDeps {
  apiBase: URL;
  fetch: typeof fetch;
  token(): Promise<string>;
}

export class BatchApi {
  constructor(private readonly deps: BatchApiDeps) {}

  #url(path: string): string {
    return `${this.deps.apiBase.href.replace(/\/$/, '')}${path}`;
  }

  async #call(
    method: string,
    path: string,
    init: { body?: FormData | string | ReadableStream<Uint8Array>; json?: unknown; signal?: AbortSignal; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers, authorization: `Bearer ${await this.deps.token()}` };
    let body = init.body;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    let response: Response;
    try {
      response = await this.deps.fetch(this.#url(path), {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        // A stream body is sent as it is read (fetch requires saying so).
        ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
        ...(init.signal ? { signal: init.signal } : {}),
        redirect: 'error',
      });
    } catch (error) {
      if (init.signal?.aborted) throw new AnalysisError('cancelled', 'The batch request was cancelled.', { disposition: 'aborted' });
      throw new AnalysisError('network', 'Loupe couldn’t reach the Batch API.', { disposition: 'backoff' });
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      let message = `The Batch API answered ${response.status}.`;
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        /* not JSON */
      }
      const transient = response.status >= 500 || response.status === 429 || response.status === 408;
      throw new AnalysisError(transient ? 'server_error' : 'invalid_request', message, {
        disposition: transient ? 'backoff' : 'stop_job',
        status: response.status,
      });
    }
    return response;
  }

  /**
   * A part file (up to 200 MB) as multipart/form-data streamed from its Blob (file-backed from
   * `openAsBlob`) as the request reads it: memory stays at a chunk or two, never the whole body, and
   * `onProgress` hears the bytes sent. The app's fetch sends a stream body chunked through Electron's
   * net.request (electron/shell/streaming-fetch.ts), which `session.fetch` would buffer whole.
   */
  async uploadJsonl(
    filename: string,
    content: string | Blob,
    signal?: AbortSignal,
    onProgress?: (sent: number, total: number) => void,
  ): Promise<string> {
    const boundary = `loupe-${randomUUID()}`;
    const file = typeof content === 'string' ? new Blob([content]) : content;
    const body = streamedMultipart(boundary, { purpose: 'batch' }, { name: 'file', filename, type: 'application/jsonl', blob: file }, onProgress);
    const headers = { 'content-type': `multipart/form-data; boundary=${boundary}` };
    const response = await this.#call('POST', '/files', { body, headers, ...(signal ? { signal } : {}) });
    return ((await response.json()) as { id: string }).id;
  }

  /** Whether an uploaded file is still there (a restart between upload and batch creation creates the batch from it). */
  async fileExists(fileId: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.#call('GET', `/files/${encodeURIComponent(fileId)}`, signal ? { signal } : {});
      return true;
    } catch (error) {
      if (error instanceof AnalysisError && error.details.status === 404) return false;
      throw error;
    }
  }

  async create(inputFileId: string, metadata: Record<string, string>, signal?: AbortSignal): Promise<BatchObject> {
    const response = await this.#call('POST', '/batches', {
      json: { input_file_id: inputFileId, endpoint: '/v1/responses', completion_window: '24h', metadata },
      ...(signal ? { signal } : {}),
    });
    return (await response.json()) as BatchObject;
  }

  async get(id: string, signal?: AbortSignal): Promise<BatchObject> {
    return (await (await this.#call('GET', `/batches/${encodeURIComponent(id)}`, signal ? { signal } : {})).json()) as BatchObject;
  }

  async cancel(id: string): Promise<BatchObject> {
    return (await (await this.#call('POST', `/batches/${encodeURIComponent(id)}/cancel`)).json()) as BatchObject;
  }

  async content(fileId: string, signal?: AbortSignal): Promise<string> {
    return (await this.#call('GET', `/files/${encodeURIComponent(fileId)}/content`, signal ? { signal } : {})).text();
  }
}

/** multipart/form-data (RFC 7578) whose file part is read from its Blob only as the stream is pulled. */
function streamedMultipart(
  boundary: string,
  fields: Record<string, string>,
  file: { name: string; filename: string; type: string; blob: Blob },
  onProgress?: (sent: number, total: number) => void,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const quoted = (value: string) => value.replace(/["\r\n]/g, '_');
  const head = encoder.encode(
    Object.entries(fields)
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"\r\n\r\n${value}\r\n`)
      .join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(file.name)}"; filename="${quoted(file.filename)}"\r\nContent-Type: ${file.type}\r\n\r\n`,
  );
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  const total = head.length + file.blob.size + tail.length;
  let sent = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const push = (controller: ReadableStreamDefaultController<Uint8Array>, chunk: Uint8Array) => {
    controller.enqueue(chunk);
    sent += chunk.length;
    onProgress?.(sent, total);
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!reader) {
          reader = file.blob.stream().getReader();
          return push(controller, head);
        }
        const { done, value } = await reader.read();
        if (!done) return push(controller, value);
        push(controller, tail);
        controller.close();
      },
      cancel: (reason) => reader?.cancel(reason),
    },
    // Pull one chunk at a time: the file is read only as fast as the request sends it.
    { highWaterMark: 0 },
  );
}
