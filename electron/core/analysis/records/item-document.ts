/**
 * A photo's result file, `<name>-<hash8>.json` in the job's output folder:
 * who wrote it (job and item), the source photo, what was uploaded (sizes
 * only, never the bytes), the model and preset, timings and attempts, and the
 * outcome — the answer, its raw text when it could not be read, a failure, or
 * the original a copy was analysed as.
 */
export type ItemDocumentStatus = 'ok' | 'unparsed' | 'failed' | 'duplicate';

export interface ItemDocument {
  loupe: { version: 1; job_id: string; item_id: string };
  source: { path: string; name: string; bytes: number | null; sha256: string; width?: number; height?: number; format?: string };
  sent?: { mime: string; width: number; height: number; bytes: number; detail: string };
  model: string;
  preset: string;
  structured_output?: boolean;
  started_at: string | null;
  finished_at: string;
  attempts: number;
  usage: { input_tokens: number; output_tokens: number } | null;
  request_id: string | null;
  status: ItemDocumentStatus;
  /** The parsed answer (or the text, for a custom prompt without a schema); null when it didn't parse. */
  result: unknown;
  raw_text?: string;
  parse_error?: string;
  error?: { code: string; message: string };
  duplicate_of?: { item_id: string; path: string; output_file: string | null };
}
