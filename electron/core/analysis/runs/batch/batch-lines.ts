/**
 * Batch API input files: one JSON line per photo
 * (`{ custom_id, method: "POST", url: "/v1/responses", body }`), split so no
 * file passes the Batch API's limits (50,000 requests and 200 MB per file).
 */

export const BATCH_ENDPOINT = '/v1/responses';
export const BATCH_MAX_REQUESTS = 50_000;
export const BATCH_MAX_FILE_BYTES = 200 * 1024 * 1024;

export interface BatchLine {
  customId: string;
  body: Record<string, unknown>;
}

export interface BatchPartInput {
  customIds: string[];
  content: string;
}

export function lineText(line: BatchLine): string {
  return JSON.stringify({ custom_id: line.customId, method: 'POST', url: BATCH_ENDPOINT, body: line.body });
}

/** Splits lines into files at the limits (a margin of 1 % under the byte limit for the multipart framing). */
export function splitIntoFiles(
  lines: Iterable<BatchLine>,
  limits = { maxRequests: BATCH_MAX_REQUESTS, maxBytes: BATCH_MAX_FILE_BYTES },
): BatchPartInput[] {
  const maxBytes = Math.floor(limits.maxBytes * 0.99);
  const parts: BatchPartInput[] = [];
  let ids: string[] = [];
  let texts: string[] = [];
  let bytes = 0;
  const close = (): void => {
    if (ids.length) parts.push({ customIds: ids, content: `${texts.join('\n')}\n` });
    ids = [];
    texts = [];
    bytes = 0;
  };
  for (const line of lines) {
    const text = lineText(line);
    const size = Buffer.byteLength(text) + 1;
    if (size > maxBytes) throw new Error(`One request (${line.customId}) is larger than a batch file may be.`);
    if (ids.length >= limits.maxRequests || bytes + size > maxBytes) close();
    ids.push(line.customId);
    texts.push(text);
    bytes += size;
  }
  close();
  return parts;
}
