/** AppState's analysis: staged photos, jobs, their items and abilities, presets (see electron/contract.ts). */
import type { Ability } from './account-state';
import type { JobBatchView, JobMode } from './batch-mode';
import type { IMAGE_DETAILS, ITEM_STATUSES, JOB_STATUSES, PRESET_IDS } from './vocabularies';

export type PresetId = (typeof PRESET_IDS)[number];
export type ImageDetail = (typeof IMAGE_DETAILS)[number];
export type JobStatus = (typeof JOB_STATUSES)[number];
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export interface StagedInput {
  path: string;
  name: string;
  kind: 'file' | 'folder';
  /** Photos Loupe can analyse here; null while it is still being checked. */
  photoCount: number | null;
  /** Why (some of) it can't be analysed, in words for a person; null when all is well. */
  problem: string | null;
}

/** A preview of a staged photo or folder, from `analysis.getStagedThumbnails` (never part of AppState). */
export interface StagedThumbnail {
  path: string;
  /** A small JPEG `data:` URL (at most 112 px, EXIF-rotated, no metadata); null for a folder or a file that can't be read. */
  src: string | null;
  /** A staged folder: its first few photos (empty when it has none). */
  previews?: string[];
  /** Why there is no preview, in words for a person; null when there is one (or for a folder). */
  problem: string | null;
}

export interface JobCounts {
  total: number;
  done: number;
  failed: number;
  skipped: number;
  pending: number;
  inFlight: number;
  /** Answered, but the answer did not match the schema (its raw text is kept); not counted in `done`. */
  unparsed: number;
  /** Of a job cancelled for good: never sent (nothing paid); "Analyse remaining" takes them. Not waiting. */
  notRun: number;
}

export interface StopReasonView {
  code: string;
  message: string;
  /** Where the person can fix it, e.g. "Manage usage". */
  link?: { label: string; url: string };
}

export interface JobSummaryView {
  id: string;
  name: string;
  preset: PresetId;
  model: string;
  detail: ImageDetail;
  status: JobStatus;
  counts: JobCounts;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  etaMs: number | null;
  tokens: { input: number; output: number };
  /** From the price table in Settings; null when the model has no price. */
  costUsd: number | null;
  outputDir: string;
  stopReason?: StopReasonView;
  concurrency: number;
  /** Requests waiting to be sent again (e.g. "Can't reach the server"); null when none are. */
  retrying: { count: number; nextAt: number | null; reason: string } | null;
  /** Set while a cancel can still be undone (the job is paused until then). */
  undoCancelUntil: number | null;
  can: JobAbilities;
  mode: JobMode;
  /** A batch job's state at OpenAI and its discount; null for a live job. */
  batch: JobBatchView | null;
}

export interface JobAbilities {
  pause: Ability;
  resume: Ability;
  cancel: Ability;
  undoCancel: Ability;
  retryFailed: Ability;
  /** Ask again for answers that did not match the schema (only on request: each is paid for). */
  retryUnparsed: Ability;
  analyseRemaining: Ability;
  rename: Ability;
  remove: Ability;
}

export interface JobItemView {
  id: string;
  path: string;
  name: string;
  status: ItemStatus;
  error?: { code: string; message: string };
  thumbnail?: string;
  result?: unknown;
  rawText?: string;
  parseError?: string;
  hash?: string;
  outputFile?: string;
  duplicateOf?: string;
  attempts?: number;
}

export interface JobDetailView extends JobSummaryView {
  items: JobItemView[];
}

export interface JobItemsPage {
  jobId: string;
  /** Items in the job, so the window can size a virtual list. */
  total: number;
  offset: number;
  items: JobItemView[];
}

export interface PresetView {
  id: PresetId;
  label: string;
  description: string;
}

export interface AnalysisView {
  /** Photos and folders dropped or picked, waiting for "Analyse". */
  staged: StagedInput[];
  jobs: JobSummaryView[];
  presets: PresetView[];
  /** Photos the staged files and folders hold; null while any is still being checked. */
  stagedPhotoCount: number | null;
  /** Where a job's folder goes unless the person picks another (`<Documents>/Loupe`). */
  outputRoot: string;
  /** The folder picked with `analysis.pickOutputDir` for the next job; null = a new folder under `outputRoot`. */
  pickedOutputDir?: string | null;
}
