/**
 * The analysis side of the core: the staging list of dropped photos, jobs
 * started on the active account (and kept on it), output folders, export and
 * the cost estimate. The engine itself lives in electron/core/analysis/.
 */
import { copyFile } from 'node:fs/promises';
import { existsSync, rmdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { AnalysisView, JobDetailView, JobSummaryView, ParsedInput, PresetView, PriceRow, StagedInput } from '../../contract';
import type { Accounts } from '../accounts/accounts';
import { planUsage } from '../accounts/readiness';
import { AnalysisEngine, type AnalysisDeps } from './run/engine';
import type { JobSummary } from './types';
import type { CoreDeps, Logger } from '../kernel/deps';
import { LoupeError } from '../kernel/errors';
import { safeFolderName } from './output/output-folder';

export const PRESETS: PresetView[] = [
  { id: 'describe', label: 'Describe', description: 'A short description of each photo, with tags, subjects, setting and visible quality problems.' },
  {
    id: 'damage',
    label: 'Damage assessment',
    description: 'Building and bathroom damage survey: each damage with type, location, severity 1–5, probable cause, recommended action and urgency.',
  },
  { id: 'custom', label: 'Custom', description: 'Your own prompt, with an optional JSON schema for the answer.' },
];

/** USD for a job's tokens, from the price row whose model matches (exactly, else the longest prefix). */
export function estimateCost(model: string, tokens: { input: number; output: number }, prices: PriceRow[]): number | null {
  const row = prices.find((p) => p.model === model) ?? [...prices].sort((a, b) => b.model.length - a.model.length).find((p) => model.startsWith(p.model));
  if (!row) return null;
  return (tokens.input * row.inputPerMillion + tokens.output * row.outputPerMillion) / 1_000_000;
}

export { safeFolderName } from './output/output-folder';

export interface AnalysisServiceDeps {
  core: Pick<CoreDeps, 'dataDir' | 'fetch' | 'clock' | 'notify' | 'openPath' | 'pickFiles' | 'pickSavePath' | 'pickFolder' | 'documentsDir'>;
  accounts: Accounts;
  log: Logger;
  prices(): PriceRow[];
  defaults(): { model(accountId: string): string | null; detail: 'low' | 'high' | 'auto'; concurrency: number };
  onChange(): void;
  tuning?: AnalysisDeps['tuning'];
}

export class AnalysisService {
  #staged: StagedInput[] = [];
  /** The output folder picked in the main process's dialog: the only folder other than a fresh one a job may be started into. */
  #pickedOutputDir: string | null = null;

  private constructor(
    private readonly deps: AnalysisServiceDeps,
    readonly engine: AnalysisEngine,
  ) {}

  static async open(deps: AnalysisServiceDeps): Promise<AnalysisService> {
    const engine = await AnalysisEngine.open({
      dataDir: deps.core.dataDir,
      fetch: deps.core.fetch,
      account: (accountId) => {
        const id = accountId ?? deps.accounts.active()?.id;
        if (!id) throw new LoupeError('signed_out', 'Sign in first.');
        const access = deps.accounts.access(id);
        return { apiBase: access.apiBase, kind: access.planRules ? 'chatgpt' : 'apiKey', session: access, useChatCompletions: access.useChatCompletions };
      },
      clock: deps.core.clock,
      log: deps.log,
      notify: deps.core.notify,
      onChange: deps.onChange,
      ...(deps.tuning ? { tuning: deps.tuning } : {}),
    });
    return new AnalysisService(deps, engine);
  }

  outputRoot(): string {
    return join(this.deps.core.documentsDir, 'Loupe');
  }

  view(): AnalysisView {
    return {
      staged: this.#staged,
      jobs: this.engine.jobs().map((j) => this.#summary(j)),
      presets: PRESETS,
      outputRoot: this.outputRoot(),
      pickedOutputDir: this.#pickedOutputDir,
    };
  }

  stage(paths: string[]): void {
    const known = new Set(this.#staged.map((s) => s.path));
    const added: StagedInput[] = [];
    for (const path of paths) {
      // Skips what is already staged and repeats within this batch (a folder dropped twice at once).
      if (known.has(path)) continue;
      known.add(path);
      added.push({ path, name: basename(path) || path });
    }
    if (this.#staged.length + added.length > 10_000) throw new LoupeError('too_many_inputs', 'Loupe takes at most 10,000 photos and folders at once.');
    this.#staged = [...this.#staged, ...added];
    this.deps.onChange();
  }

  unstage(path: string): void {
    this.#staged = this.#staged.filter((s) => s.path !== path);
    this.deps.onChange();
  }

  clearStaged(): void {
    this.#staged = [];
    this.deps.onChange();
  }

  async pick(): Promise<void> {
    const paths = await this.deps.core.pickFiles();
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
    if (this.#staged.length === 0) throw new LoupeError('nothing_staged', 'Add photos or folders first.');
    const account = this.deps.accounts.active();
    if (!account || this.deps.accounts.status(account) !== 'signed_in') throw new LoupeError('signed_out', 'Sign in before analysing photos.');
    if (account.kind === 'chatgpt' && !planUsage(account)) {
      throw new LoupeError('plan_usage_disabled', 'ChatGPT plan usage is not enabled for this sign-in. Enable it, or use an API key instead.');
    }
    const defaults = this.deps.defaults();
    const model = input.model ?? defaults.model(account.id);
    if (!model) throw new LoupeError('no_model', 'Choose a model first (the model list is empty).', { field: 'model' });
    let customSchema: unknown;
    if (input.preset === 'custom' && input.customSchema?.trim()) {
      try {
        customSchema = JSON.parse(input.customSchema);
      } catch {
        throw new LoupeError('invalid_schema', 'The JSON schema is not valid JSON.', { field: 'customSchema' });
      }
    }
    const paths = this.#staged.map((s) => s.path);
    const stamp = new Date(this.deps.core.clock.now()).toISOString().slice(0, 16).replace('T', ' ').replace(':', '.');
    const name = input.name ?? `${basename(paths[0]!)}${paths.length > 1 ? ` + ${paths.length - 1} more` : ''} ${stamp}`;
    // The window may only repeat what the dialog picked: it cannot make Loupe write anywhere else.
    if (input.outputDir !== undefined && input.outputDir !== this.#pickedOutputDir) {
      throw new LoupeError('invalid_input', 'Choose the output folder with “Choose folder…” first.', { field: 'outputDir' });
    }
    const outputDir = input.outputDir ?? this.#pickedOutputDir ?? this.#freshFolder(join(this.outputRoot(), safeFolderName(name)));
    const existed = existsSync(outputDir);
    let jobId: string;
    try {
      jobId = await this.engine.createJob({
        accountId: account.id,
        name,
        paths,
        preset: input.preset,
        ...(input.customPrompt !== undefined ? { customPrompt: input.customPrompt } : {}),
        ...(customSchema !== undefined ? { customSchema } : {}),
        model,
        detail: input.detail ?? defaults.detail,
        concurrencyCap: input.concurrency ?? defaults.concurrency,
        outputDir,
      });
    } catch (error) {
      // A refused job (no readable photos, …) leaves no empty folder behind; it would push the next job of that name to "<name> 2".
      if (!existed) {
        try {
          rmdirSync(outputDir);
        } catch {
          /* not created, or not empty */
        }
      }
      throw error;
    }
    this.#staged = [];
    this.deps.onChange();
    return { jobId };
  }

  job(jobId: string): JobDetailView {
    const detail = this.engine.job(jobId);
    if (!detail) throw new LoupeError('job_not_found', 'That job no longer exists.');
    return { ...detail, costUsd: estimateCost(detail.model, detail.tokens, this.deps.prices()) };
  }

  async openOutput(jobId: string): Promise<void> {
    await this.deps.core.openPath(this.job(jobId).outputDir);
  }

  async exportCsv(jobId: string): Promise<{ path: string | null }> {
    const job = this.job(jobId);
    const source = join(job.outputDir, 'results.csv');
    if (!existsSync(source)) throw new LoupeError('nothing_to_export', 'This job has no results yet.');
    const target = await this.deps.core.pickSavePath(`${safeFolderName(job.name)}.csv`);
    if (!target) return { path: null };
    await copyFile(source, target);
    return { path: target };
  }

  #summary(job: JobSummary): JobSummaryView {
    return { ...job, costUsd: estimateCost(job.model, job.tokens, this.deps.prices()) };
  }

  /** `<root>/<name>`, or `<name> 2`, `<name> 3`… when it exists, so two jobs never share a folder. */
  #freshFolder(base: string): string {
    if (!existsSync(base)) return base;
    for (let n = 2; ; n++) {
      const candidate = `${base} ${n}`;
      if (!existsSync(candidate)) return candidate;
    }
  }
}
