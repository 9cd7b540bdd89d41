// /v1/files for the stand-in: multipart upload (purpose "batch" and the others the API
// accepts), metadata, content download, delete. In memory; API keys only (ChatGPT-plan
// tokens get the plan's "route not supported" from the caller).

import type { IncomingMessage } from 'node:http';
import { apiError, type ApiError } from './errors.ts';
import { newId } from './sse.ts';

export interface StoredFile {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
  status: 'processed';
  content: Buffer;
}

/** The Batch API's input file limit. */
export const MAX_FILE_BYTES = 200 * 1024 * 1024;
const PURPOSES = new Set(['batch', 'batch_output', 'assistants', 'fine-tune', 'vision', 'user_data', 'evals']);

export class FileStore {
  readonly files = new Map<string, StoredFile>();

  add(filename: string, purpose: string, content: Buffer): StoredFile {
    const file: StoredFile = {
      id: newId('file-', 24),
      object: 'file',
      bytes: content.length,
      created_at: Math.floor(Date.now() / 1000),
      filename,
      purpose,
      status: 'processed',
      content,
    };
    this.files.set(file.id, file);
    return file;
  }

  get(id: string): StoredFile | undefined {
    return this.files.get(id);
  }
}

export function publicFile(f: StoredFile): Omit<StoredFile, 'content'> {
  const { content: _content, ...rest } = f;
  return rest;
}

export function readRaw(req: IncomingMessage, max: number): Promise<Buffer | ApiError> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? apiError(413, `File is larger than the ${max} bytes allowed.`) : Buffer.concat(chunks)));
    req.on('error', () => resolve(apiError(400, 'Request body was interrupted.')));
  });
}

/** A minimal multipart/form-data reader: fields by name, the file part with its filename. */
export function parseMultipart(
  body: Buffer,
  contentType: string,
): { fields: Map<string, string>; file?: { filename: string; data: Buffer } } | ApiError {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!/^multipart\/form-data/i.test(contentType) || !m) return apiError(400, 'Invalid Content-Type header (expected multipart/form-data).');
  const boundary = Buffer.from(`--${m[1] ?? m[2]}`);
  const fields = new Map<string, string>();
  let file: { filename: string; data: Buffer } | undefined;
  let at = body.indexOf(boundary);
  while (at >= 0) {
    const start = at + boundary.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const headerEnd = body.indexOf('\r\n\r\n', start);
    if (headerEnd < 0) break;
    const headers = body.subarray(start, headerEnd).toString('utf8');
    const next = body.indexOf(boundary, headerEnd + 4);
    if (next < 0) break;
    const data = body.subarray(headerEnd + 4, next - 2);
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
    if (name === 'file' && filename !== undefined) file = { filename, data: Buffer.from(data) };
    else if (name) fields.set(name, data.toString('utf8'));
    at = next;
  }
  return { fields, ...(file ? { file } : {}) };
}

export interface RouteResult {
  status: number;
  body?: unknown;
  raw?: { contentType: string; data: Buffer };
  error?: ApiError;
}

export async function filesRoute(store: FileStore, method: string, route: string, req: IncomingMessage): Promise<RouteResult> {
  if (method === 'POST' && route === '/files') {
    const raw = await readRaw(req, MAX_FILE_BYTES + 64 * 1024);
    if ('status' in raw) return { status: raw.status, error: raw };
    const parsed = parseMultipart(raw, String(req.headers['content-type'] ?? ''));
    if ('status' in parsed) return { status: parsed.status, error: parsed };
    const purpose = parsed.fields.get('purpose');
    if (!purpose)
      return {
        status: 400,
        error: apiError(400, "Missing required parameter: 'purpose'.", { param: 'purpose', code: 'missing_required_parameter' }),
      };
    if (!PURPOSES.has(purpose)) return { status: 400, error: apiError(400, `Invalid value for 'purpose': '${purpose}'.`, { param: 'purpose' }) };
    if (!parsed.file)
      return { status: 400, error: apiError(400, "Missing required parameter: 'file'.", { param: 'file', code: 'missing_required_parameter' }) };
    if (parsed.file.data.length > MAX_FILE_BYTES)
      return { status: 400, error: apiError(400, 'File is too large for the Batch API (200 MB).', { param: 'file' }) };
    return { status: 200, body: publicFile(store.add(parsed.file.filename, purpose, parsed.file.data)) };
  }
  req.resume();
  const m = /^\/files\/([\w-]+)(\/content)?$/.exec(route);
  const file = m ? store.get(m[1]!) : undefined;
  if (!m || !file)
    return { status: 404, error: apiError(404, `No such File object: ${m?.[1] ?? route}`, { param: 'id', type: 'invalid_request_error' }) };
  if (method === 'GET' && m[2]) return { status: 200, raw: { contentType: 'application/octet-stream', data: file.content } };
  if (method === 'GET') return { status: 200, body: publicFile(file) };
  if (method === 'DELETE' && !m[2]) {
    store.files.delete(file.id);
    return { status: 200, body: { id: file.id, object: 'file', deleted: true } };
  }
  return { status: 404, error: apiError(404, `Invalid URL (${method} /v1${route})`) };
}
