/**
 * What the analysis engine is given (its dependencies and tuning) and the
 * defaults it runs with. Kept apart from the engine so the wiring reads on
 * its own.
 */
import { SETTINGS_LIMITS, type Ability } from '../../../contract';
import type { Clock, Logger, ProcessMemory } from '../../kernel/deps';
import type { SessionLike } from '../api/analysis-call';
import type { SummaryPolicyOptions } from '../output/summary-policy';
import type { RunTuning } from './live/live-run';
import { DEFAULT_SCHEDULER_TUNING } from '../pacing/scheduler';

/** Where and as whom a job's requests go. */
export interface AnalysisAccount {
  apiBase: URL;
  /** Capabilities differ between ChatGPT-plan and other traffic: verdicts are kept per kind and model. */
  kind: 'chatgpt' | 'apiKey';
  session: SessionLike;
  /** The server has no Responses API: send analyses through Chat Completions. */
  useChatCompletions?: boolean;
  /** Whether this account may run a job through the Batch API (accounts/readiness.ts decides); refused when absent. */
  batch?: Ability;
}

export interface AnalysisDeps {
  dataDir: string;
  fetch: typeof fetch;
  /** The account a job was created with (throws a LoupeError when it no longer exists). */
  account(accountId: string | undefined): AnalysisAccount;
  clock: Clock;
  log: Logger;
  notify(title: string, body: string): void;
  /** Fires on every state change; the caller throttles. */
  onChange(): void;
  tuning?: Partial<EngineTuning>;
  /** How long "Undo" is offered after "Cancel" (cancel-grace.ts); 0 or absent: cancelled at once. */
  cancelGraceMs?: number;
  /** Told what the engine decodes and holds, so the host can size the process's memory (kernel/deps.ts). */
  processMemory?: ProcessMemory;
}

export interface EngineTuning extends RunTuning {
  initialConcurrency: number;
  requestTimeoutMs: number;
  /** How often summary.json is rewritten while a job runs (see summary-policy.ts). */
  summaryPolicy?: SummaryPolicyOptions;
  maxThumbnails: number;
  /** Photos per job at most (discovery stops there and says so). */
  maxFiles: number;
  /** Batch jobs: first poll interval, growing to the longest. */
  batchPollMs: number;
  batchMaxPollMs: number;
}

export const DEFAULT_TUNING: EngineTuning = {
  ...DEFAULT_SCHEDULER_TUNING,
  // "low" is one 512 px view. For "high"/"auto" the API fits images into 2048² and then to
  // 768 px on the short side (1024×768 for a 4:3 photo), and newer models budget about 1.5 MP;
  // 1536 px covers both with margin, and lets a 12 MP JPEG decode at half size (shrink-on-load),
  // which in the benchmark halves bytes uploaded and cuts peak memory by a quarter against 2048.
  maxEdge: { low: 512, high: 1536, auto: 1536 },
  jpegQuality: 85,
  initialConcurrency: 4,
  requestTimeoutMs: 180_000,
  maxThumbnails: 2000,
  maxFiles: 100_000,
  batchPollMs: 10_000,
  batchMaxPollMs: 5 * 60_000,
};

export const MAX_CONCURRENCY_CAP = SETTINGS_LIMITS.analysisConcurrency.max;
