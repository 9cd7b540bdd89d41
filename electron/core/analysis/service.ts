/**
 * The analysis side of the core: the staging list of dropped photos, jobs
 * started on the active account (and kept on it), output folders, export and
 * the cost estimate. The engine itself lives in electron/core/analysis/.
 */
import { access, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  AnalysisView,
  ConcurrencySetting,
  ImageDetail,
  StagedThumbnail,
  JobDetailView,
  JobItemsPage,
  JobSummaryView,
  ParsedInput,
  PriceRow,
  UsageLimitView,
} from '../../contract';
import type { Accounts } from '../accounts/accounts';
import { batchAccess, requireModelAccess } from '../accounts/readiness';
import { CANCEL_GRACE_MS } from './runs/cancel-grace';
import { PRESETS } from './records/presets';
import { stagedPhotoCount } from './staging/staged-contents';
import type { StagedThumbnailOptions } from './staging/staged-thumbnails';
import { Staging } from './staging/staging';
import { UsageLimitWatch } from './usage-limit';
import { AnalysisEngine, type AnalysisDeps } from './runs/engine';
import type { JobSummary } from './records/job-record';
import type { CoreDeps, Logger } from '../kernel/deps';
import { LoupeError } from '../kernel/errors';
import { startJob, startRemainingJob } from './start-job';
import { summaryExtras } from './job-summary-view';
import { safeFolderName } from './output/output-folder';

export interface AnalysisServiceDeps {
  core: Pick<
    CoreDeps,
    'dataDir' | 'fetch' | 'clock' | 'notify' | 'openPath' | 'pickFiles' | 'pickSavePath' | 'pickFolder' | 'documentsDir' | 'processMemory'
  >;
  accounts: Accounts;
  log: Logger;
  prices(): PriceRow[];
  defaults(): { model(accountId: string): string | null; detail: ImageDetail; concurrency: ConcurrencySetting };
  onChange(): void;
  tuning?: AnalysisDeps['tuning'];
  /** How long "Undo" is offered after "Cancel" (0: cancel at once). */
  cancelGraceMs?: number;
  /** Bounds of the in-memory cache of staged previews. */
  stagedThumbnails?: StagedThumbnailOptions;
}

/** Items `analysis.getJob` carries: the first page; the rest come through `analysis.getItems`. */
export const GET_JOB_ITEMS = 500;

export class AnalysisService {
  readonly #staging: Staging;
  readonly #usageLimit = new UsageLimitWatch();
  /** The output folder picked in the main process's dialog: the only folder other than a fresh one a job may be started into. */
  #pickedOutputDir: string | null = null;

  private constructor(
    private readonly deps: AnalysisServiceDeps,
    private readonly engine: AnalysisEngine,
  ) {
    this.#staging = new Staging(deps.onChange, deps.stagedThumbnails);
  }

  static async open(deps: AnalysisServiceDeps): Promise<AnalysisService> {
    const engine = await AnalysisEngine.open({
      dataDir: deps.core.dataDir,
      fetch: deps.core.fetch,
      account: (accountId) => {
        const id = accountId ?? deps.accounts.active()?.id;
        if (!id) throw new LoupeError('signed_out', 'Sign in first.');
        const access = deps.accounts.access(id);
        const account = deps.accounts.get(id);
        return {
          apiBase: access.apiBase,
          kind: access.planRules ? 'chatgpt' : 'apiKey',
          session: access,
          useChatCompletions: access.useChatCompletions,
          // The one rule (accounts/readiness.ts) that the window shows as `account.can.batch`.
          batch: batchAccess(account, deps.accounts.status(account)),
        };
      },
      clock: deps.core.clock,
      log: deps.log,
      notify: deps.core.notify,
      onChange: deps.onChange,
      cancelGraceMs: deps.cancelGraceMs ?? CANCEL_GRACE_MS,
      ...(deps.core.processMemory ? { processMemory: deps.core.processMemory } : {}),
      ...(deps.tuning ? { tuning: deps.tuning } : {}),
    });
    return new AnalysisService(deps, engine);
  }

  outputRoot(): string {
    return join(this.deps.core.documentsDir, 'Loupe');
  }

  view(): AnalysisView {
    return {
      staged: this.#staging.list,
      stagedPhotoCount: stagedPhotoCount(this.#staging.list),
      jobs: this.engine.jobs().map((j) => this.#summary(j)),
      presets: PRESETS,
      outputRoot: this.outputRoot(),
      pickedOutputDir: this.#pickedOutputDir,
    };
  }

  /** The app-wide usage-limit state (analysis/usage-limit.ts decides). */
  /** Notices the engine raised while opening (a job interrupted by a crash waits for the person). */
  get notices(): ReadonlyArray<{ id: string; level: 'warning'; message: string }> {
    return this.engine.notices;
  }

  usageLimit(): UsageLimitView | null {
    return this.#usageLimit.update(this.engine.jobs().map((summary) => ({ summary, accountId: this.engine.recordOf(summary.id)?.spec.accountId })));
  }

  /** Resolves once every staged entry added so far has been checked. */
  stagedChecked(): Promise<void> {
    return this.#staging.checked();
  }

  /**
   * Only from a drop (the preload's channel), a file dialog (`pick`) or the tray's dialog:
   * never from a path the window names (core/index.ts, `stageOffered`).
   */
  stage(paths: readonly string[]): void {
    this.#staging.stage(paths);
  }

  /** Previews of staged photos and folders (staged-thumbnails.ts); a path that is not staged is refused. */
  stagedThumbnails(paths: string[]): Promise<StagedThumbnail[]> {
    return this.#staging.thumbnailsOf(paths);
  }

  unstage(path: string): void {
    this.#staging.unstage(path);
  }

  clearStaged(): void {
    this.#staging.clear();
  }

  async pick(options: { folders: boolean } = { folders: false }): Promise<void> {
    const paths = await this.deps.core.pickFiles(options);
    if (paths.length > 0) this.stage(paths);
  }

  /** The folder dialog, opened here so the window never names an arbitrary path; remembered for the next start. */
  async pickOutputDir(): Promise<{ path: string | null }> {
    if (!this.deps.core.pickFolder) throw new LoupeError('not_supported', 'Choosing an output folder is not available here.');
    const path = await this.deps.core.pickFolder();
    if (path) {
      this.#pickedOutputDir = path;
      this.deps.onChange();
    }
    return { path };
  }

  async start(input: ParsedInput<'analysis.start'>): Promise<{ jobId: string }> {
    if (this.#staging.list.length === 0) throw new LoupeError('nothing_staged', 'Add photos or folders first.');
    await this.stagedChecked();
    const account = this.deps.accounts.active();
    requireModelAccess(account, this.deps.accounts.status(account));
    const jobId = await startJob({
      input,
      staged: this.#staging.list,
      accountId: account.id,
      defaults: this.deps.defaults(),
      pickedOutputDir: this.#pickedOutputDir,
      outputRoot: this.outputRoot(),
      engine: this.engine,
    });
    this.#staging.taken();
    this.deps.onChange();
    return { jobId };
  }

  /**
   * A job with its first items (at most GET_JOB_ITEMS): the window pages
   * through the rest with `items`, so a large job is never built whole.
   */
  async job(jobId: string): Promise<JobDetailView> {
    const summary = this.#summaryOf(jobId);
    const page = await this.engine.items(jobId, 0, GET_JOB_ITEMS);
    return { ...summary, items: page?.items ?? [] };
  }

  /** A job's line in the list, with what the service adds; job_not_found when it is gone. */
  #summaryOf(jobId: string): JobSummaryView {
    const summary = this.engine.summary(jobId);
    if (!summary) throw new LoupeError('job_not_found', 'That job no longer exists.');
    return this.#summary(summary);
  }

  /** One page, built from this page's items only (results read from disk for it alone). */
  async items(jobId: string, offset: number, limit: number): Promise<JobItemsPage> {
    const page = await this.engine.items(jobId, offset, limit);
    if (!page) throw new LoupeError('job_not_found', 'That job no longer exists.');
    return { jobId, total: page.total, offset, items: page.items };
  }

  // What a job may do now is the job lifecycle's (lifecycle/job-lifecycle.ts): the engine asks it, as `job.can` does.

  retryUnparsed(jobId: string): Promise<void> {
    return this.engine.retryUnparsed(jobId);
  }

  retryFailed(jobId: string): Promise<void> {
    return this.engine.retryFailed(jobId);
  }

  pause(jobId: string): Promise<void> {
    return this.engine.pause(jobId);
  }

  resume(jobId: string): Promise<void> {
    return this.engine.resume(jobId);
  }

  /** Pauses at once and cancels after the undo window (cancel-grace.ts); at once when there is none. */
  cancel(jobId: string): Promise<void> {
    return this.engine.cancel(jobId);
  }

  /** Takes back a cancel within its undo window: the job carries on as before. */
  undoCancel(jobId: string): Promise<void> {
    return this.engine.undoCancel(jobId);
  }

  /** A new job, with the same settings, of the photos a cancelled or stopped job did not analyse. */
  async startRemaining(jobId: string): Promise<{ jobId: string }> {
    const id = await this.engine.analyseRemaining(jobId, (record, paths) => startRemainingJob(this.engine, record, paths, this.outputRoot()));
    return { jobId: id };
  }

  rename(jobId: string, name: string): Promise<void> {
    return this.engine.rename(jobId, name);
  }

  /** Takes a finished job off the list; its output folder and files stay where they are. */
  remove(jobId: string): Promise<void> {
    return this.engine.remove(jobId);
  }

  async dispose(): Promise<void> {
    await this.#staging.settled();
    return this.engine.dispose();
  }

  async openOutput(jobId: string): Promise<void> {
    await this.deps.core.openPath(this.#summaryOf(jobId).outputDir);
  }

  async exportCsv(jobId: string): Promise<{ path: string | null }> {
    const job = this.#summaryOf(jobId);
    const source = this.engine.outputOf(jobId)!.csv;
    if (!(await exists(source))) throw new LoupeError('nothing_to_export', 'This job has no results yet.');
    const target = await this.deps.core.pickSavePath(`${safeFolderName(job.name)}.csv`);
    if (!target) return { path: null };
    await copyFile(source, target);
    return { path: target };
  }

  #summary(job: JobSummary): JobSummaryView {
    return {
      ...job,
      ...summaryExtras(this.engine, job, this.deps.prices()),
    };
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
