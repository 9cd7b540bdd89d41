/**
 * The shapes of analysis jobs: what a person asks for (`JobSpec`), what is
 * persisted in `<dataDir>/jobs/<id>.json` (`JobRecord`), and what the UI
 * sees (`JobSummary`, `JobDetail`: the contract's views, less the cost that
 * the core adds from the price table). Persisted shapes carry a version so a
 * later Loupe can read an older job file.
 */
import type { ItemStatus, JobDetailView, JobItemView, JobStatus, JobSummaryView, StopReasonView } from '../../../contract';
import type { BatchState } from '../runs/batch/batch-job';
import type { PresetId } from './presets';
import type { Detail } from '../api/analysis-call';
import type { ItemDocument } from '../output/results';

export type { ItemStatus, JobCounts, JobStatus } from '../../../contract';

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
  /** A ceiling on requests at once (at most 64); below it, as many as rate × latency needs. */
  concurrencyCap?: number;
  /** 'batch': through the Batch API (half price, results within 24 h); API-key accounts only. */
  mode?: 'live' | 'batch';
  outputDir: string;
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
  error?: ItemError | undefined;
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
    /** The person's ceiling on requests at once; absent: automatic (rate × latency within the memory budget). */
    concurrencyCap?: number;
    /** 'batch': through the Batch API (half price, results within 24 h; API-key accounts). */
    mode?: 'live' | 'batch';
    outputDir: string;
    paths: string[];
  };
  stopReason?: StopReason;
  tokens: { input: number; output: number };
  /** Every photo, in job order; in memory only while needed (run/job-items.ts), on disk in `itemsFile`. */
  items: ItemRecord[];
  /** The snapshot's items file beside the job file (run/job-files.ts). */
  itemsFile?: string;
  /** The last journal entry this snapshot includes (journal.ts); later ones are replayed over it. */
  seq?: number;
  /** Length of results.csv covering every row the journal says was appended; longer means a row whose marker was lost. */
  csvEnd?: number;
  /** Answers recorded but not yet written to the output folder (it refused them): written out on resume, never asked again. */
  outbox?: Array<{ id: string; doc?: ItemDocument; file?: string }>;
  /** results.csv holds a superseded row (a photo retried): rebuilt when the job next stops. */
  csvStale?: boolean;
  /** Batch API files and batches of a batch job, so a restart polls them instead of paying again. */
  batch?: BatchState;
  /** The job started with this one's remaining photos ("Analyse remaining"): offered once, across restarts. */
  remainderJobId?: string;
}

export type StopReason = StopReasonView;

/**
 * Photos of a batch job in a batch still open at OpenAI, and copies waiting
 * for one of them: their answers may yet arrive (paid for).
 */
export function inOpenBatch(record: Pick<JobRecord, 'batch'>): (item: Pick<ItemRecord, 'id' | 'duplicateOf'>) => boolean {
  const open = new Set(record.batch?.parts.filter((p) => p.batchId && !p.collected).flatMap((p) => p.customIds));
  return (item) => open.has(item.id) || (item.duplicateOf !== undefined && open.has(item.duplicateOf));
}

/**
 * An item as an older Loupe saved it, in today's terms: an answer that did
 * not match the schema was saved as `done` with its `parseError`; it is
 * `unparsed` now.
 */
export function normaliseItem(item: ItemRecord): ItemRecord {
  if (item.status === 'done' && item.parseError) item.status = 'unparsed';
  return item;
}
/** What the service adds to the engine's view: the cost, live retries, the undo window and the abilities. */
type ServiceFields = 'costUsd' | 'retrying' | 'undoCancelUntil' | 'can' | 'batch';
export type JobSummary = Omit<JobSummaryView, ServiceFields>;
export type ItemView = JobItemView;
export type JobDetail = Omit<JobDetailView, ServiceFields>;
