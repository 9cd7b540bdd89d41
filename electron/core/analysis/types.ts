/**
 * The shapes of analysis jobs: what a person asks for (`JobSpec`), what is
 * persisted in `<dataDir>/jobs/<id>.json` (`JobRecord`), and what the UI
 * sees (`JobSummary`, `JobDetail`). Persisted shapes carry a version so a
 * later Loupe can read an older job file.
 */
import type { PresetId } from './presets';
import type { Detail } from './request';

export type JobStatus = 'queued' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled' | 'stopped';
export type ItemStatus = 'pending' | 'in_flight' | 'done' | 'failed' | 'skipped';

export interface JobSpec {
  name?: string;
  /** The account the job's requests use, whichever account is active later. */
  accountId?: string;
  paths: string[];
  preset: PresetId;
  customPrompt?: string;
  customSchema?: unknown;
  model: string;
  detail: Detail;
  /** Most requests at once (default 16, at most 64); the engine adapts below it. */
  concurrencyCap?: number;
  outputDir: string;
}

export interface StopReason {
  code: string;
  message: string;
  /** Where the person can fix it, e.g. "Manage usage". */
  link?: { label: string; url: string };
}

export interface ItemError {
  code: string;
  message: string;
}

export interface ItemRecord {
  id: string;
  path: string;
  size?: number;
  status: ItemStatus;
  /** SHA-256 of the file, known once the item was first prepared. */
  hash?: string;
  /** File name (inside the job's output folder) of this item's JSON. */
  outputFile?: string;
  /** Same content as this earlier item: analysed once, referenced here. */
  duplicateOf?: string;
  attempts?: number;
  startedAt?: number;
  finishedAt?: number;
  usage?: { input_tokens: number; output_tokens: number };
  parseError?: string;
  error?: ItemError;
  requestId?: string;
}

export interface JobRecord {
  version: 1;
  id: string;
  name: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  status: JobStatus;
  spec: {
    accountId?: string;
    preset: PresetId;
    customPrompt?: string;
    /** Already normalised for strict mode. */
    customSchema?: Record<string, unknown>;
    model: string;
    detail: Detail;
    concurrencyCap: number;
    outputDir: string;
    paths: string[];
  };
  stopReason?: StopReason;
  tokens: { input: number; output: number };
  items: ItemRecord[];
}

export interface JobCounts {
  total: number;
  done: number;
  failed: number;
  skipped: number;
  pending: number;
  inFlight: number;
}

export interface JobSummary {
  id: string;
  name: string;
  preset: PresetId;
  model: string;
  detail: Detail;
  status: JobStatus;
  counts: JobCounts;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** From recent throughput; null until there is enough to go on. */
  etaMs: number | null;
  tokens: { input: number; output: number };
  outputDir: string;
  stopReason?: StopReason;
  /** Requests allowed at once right now (0 when not running). */
  concurrency: number;
}

export interface ItemView {
  id: string;
  path: string;
  name: string;
  status: ItemStatus;
  error?: ItemError;
  /** Small JPEG data URL, for photos prepared in this session. */
  thumbnail?: string;
  result?: unknown;
  rawText?: string;
  parseError?: string;
  hash?: string;
  outputFile?: string;
  duplicateOf?: string;
  attempts?: number;
}

export interface JobDetail extends JobSummary {
  items: ItemView[];
}
