/**
 * A job as it is saved in `<dataDir>/jobs/` (`JobRecord`: header, items and
 * journal, see store/), and what the window sees of it (`JobSummary`,
 * `JobDetail`: the contract's views less what the service adds). Saved
 * shapes carry a version so a later Loupe can read an older job file.
 */
import type { JobDetailView, JobItemView, JobSpec, JobStatus, JobSummaryView, StopReasonView } from '../../../contract';
import type { BatchState } from './batch-state';
import type { ItemDocument } from './item-document';
import type { ItemRecord } from './item-record';

export interface JobRecord {
  version: 1;
  id: string;
  name: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  status: JobStatus;
  /** What the job analyses and how (the contract's one job spec). */
  spec: JobSpec;
  stopReason?: StopReason;
  tokens: { input: number; output: number };
  /** Every photo, in job order; in memory only while needed (job/job.ts), on disk in `itemsFile`. */
  items: ItemRecord[];
  /** The snapshot's items file beside the job file (store/job-files.ts). */
  itemsFile?: string;
  /** The last journal entry this snapshot includes (store/journal.ts); later ones are replayed over it. */
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

/** What the service adds to the engine's view: the cost, live retries, the undo window and the abilities. */
type ServiceFields = 'costUsd' | 'retrying' | 'undoCancelUntil' | 'can' | 'batch';
export type JobSummary = Omit<JobSummaryView, ServiceFields>;
export type ItemView = JobItemView;
export type JobDetail = Omit<JobDetailView, ServiceFields>;
