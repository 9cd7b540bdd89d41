/**
 * `analysis.start`: what the window asked for, with the person's defaults,
 * turned into the engine's job request; the output folder is the one picked
 * in the dialog, or a new one named after the job under the output root, never
 * one the window names. "Analyse remaining" starts a job the same way.
 */
import type { ConcurrencySetting, ImageDetail, ParsedInput, StagedInput } from '../../contract';
import { LoupeError } from '../kernel/errors';
import type { JobRecord } from './records/job-record';
import type { AnalysisEngine } from './runs/engine';

/** The job spec's ceiling for a concurrency setting: none for 'auto'. */
export function ceiling(setting: ConcurrencySetting): { concurrencyCap?: number } {
  return setting === 'auto' ? {} : { concurrencyCap: setting };
}

export interface StartJobArgs {
  input: ParsedInput<'analysis.start'>;
  staged: readonly StagedInput[];
  accountId: string;
  defaults: { model(accountId: string): string | null; detail: ImageDetail; concurrency: ConcurrencySetting };
  /** The folder the person picked in the dialog, if any: the only one a job may be started into. */
  pickedOutputDir: string | null;
  outputRoot: string;
  engine: AnalysisEngine;
}

/** Creates the job; a refused one leaves no folder behind (the engine claims it only once photos were found). */
export function startJob(a: StartJobArgs): Promise<string> {
  const { input, defaults } = a;
  const model = input.model ?? defaults.model(a.accountId);
  if (!model) throw new LoupeError('no_model', 'Choose a model first (the model list is empty).', { field: 'model' });
  let customSchema: unknown;
  if (input.preset === 'custom' && input.customSchema?.trim()) {
    try {
      customSchema = JSON.parse(input.customSchema);
    } catch {
      throw new LoupeError('invalid_schema', 'The JSON schema is not valid JSON.', { field: 'customSchema' });
    }
  }
  const { customSchema: _text, concurrency, ...choices } = input;
  return a.engine.createJob({
    ...choices,
    accountId: a.accountId,
    paths: a.staged.map((s) => s.path),
    model,
    detail: input.detail ?? defaults.detail,
    // 'auto': no ceiling of the person's own; the governor follows rate × latency within its memory budget.
    ...ceiling(concurrency ?? defaults.concurrency),
    ...(customSchema !== undefined ? { customSchema } : {}),
    ...(a.pickedOutputDir !== null ? { outputDir: a.pickedOutputDir } : { outputRoot: a.outputRoot }),
  });
}

/** A new job, with the same settings as `record`, of `paths` (what it did not analyse), in a new folder under `outputRoot`. */
export function startRemainingJob(engine: AnalysisEngine, record: Readonly<JobRecord>, paths: string[], outputRoot: string): Promise<string> {
  const { outputDir: _dir, paths: _all, ...settings } = record.spec;
  return engine.createJob({ ...settings, name: `${record.name} (remaining)`.slice(0, 120), paths, outputRoot });
}
