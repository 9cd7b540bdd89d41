/**
 * `analysis.start`: what the window asked for, with the person's defaults,
 * turned into the engine's job spec; the output folder is the one picked in
 * the dialog or a fresh one named after the job, never one the window names.
 */
import { existsSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ConcurrencySetting, ImageDetail, ParsedInput, StagedInput } from '../../contract';
import { LoupeError } from '../kernel/errors';
import { defaultJobName } from './records/job-name';
import { safeFolderName } from './output/output-folder';
import type { AnalysisEngine } from './runs/engine';
import type { JobRecord } from './records/job-record';
import { stagedPhotoCount } from './staging/staged-contents';

/** The job spec's ceiling for a concurrency setting: none for 'auto'. */
export function ceiling(setting: ConcurrencySetting): { concurrencyCap?: number } {
  return setting === 'auto' ? {} : { concurrencyCap: setting };
}

export interface StartJobArgs {
  input: ParsedInput<'analysis.start'>;
  staged: readonly StagedInput[];
  accountId: string;
  defaults: { model(accountId: string): string | null; detail: ImageDetail; concurrency: ConcurrencySetting };
  now: number;
  /** The folder the person picked in the dialog, if any: the only one the window may name. */
  pickedOutputDir: string | null;
  outputRoot: string;
  engine: AnalysisEngine;
}

/** Creates the job; a refused one leaves no empty output folder behind. */
export async function startJob(a: StartJobArgs): Promise<string> {
  const { input, staged, defaults } = a;
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
  const paths = staged.map((s) => s.path);
  const singleFolder = staged.length === 1 && staged[0]!.kind === 'folder';
  const name = input.name ?? defaultJobName(paths, a.now, stagedPhotoCount(staged), singleFolder);
  // The window may only repeat what the dialog picked: it cannot make Loupe write anywhere else.
  if (input.outputDir !== undefined && input.outputDir !== a.pickedOutputDir) {
    throw new LoupeError('invalid_input', 'Choose the output folder with “Choose folder…” first.', { field: 'outputDir' });
  }
  const outputDir = input.outputDir ?? a.pickedOutputDir ?? freshFolder(join(a.outputRoot, safeFolderName(name)));
  const existed = existsSync(outputDir);
  try {
    return await a.engine.createJob({
      accountId: a.accountId,
      name,
      paths,
      preset: input.preset,
      ...(input.customPrompt !== undefined ? { customPrompt: input.customPrompt } : {}),
      ...(customSchema !== undefined ? { customSchema } : {}),
      model,
      detail: input.detail ?? defaults.detail,
      // 'auto': no ceiling of the person's own; the governor follows rate × latency within its memory budget.
      ...ceiling(input.concurrency ?? defaults.concurrency),
      ...(input.mode === 'batch' ? { mode: 'batch' as const } : {}),
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
}

/** A new job, with the same settings as `record`, of `paths` (what it did not analyse), in a fresh folder. */
export function startRemainingJob(engine: AnalysisEngine, record: Readonly<JobRecord>, paths: string[], outputRoot: string): Promise<string> {
  const name = `${record.name} (remaining)`.slice(0, 120);
  const spec = record.spec;
  return engine.createJob({
    ...(spec.accountId ? { accountId: spec.accountId } : {}),
    name,
    paths,
    preset: spec.preset,
    ...(spec.customPrompt !== undefined ? { customPrompt: spec.customPrompt } : {}),
    ...(spec.customSchema !== undefined ? { customSchema: spec.customSchema } : {}),
    model: spec.model,
    detail: spec.detail,
    ...(spec.concurrencyCap !== undefined ? { concurrencyCap: spec.concurrencyCap } : {}),
    ...(spec.mode === 'batch' ? { mode: 'batch' as const } : {}),
    outputDir: freshFolder(join(outputRoot, safeFolderName(name))),
  });
}

/** `<root>/<name>`, or `<name> 2`, `<name> 3`… when it exists, so two jobs never share a folder. */
function freshFolder(base: string): string {
  if (!existsSync(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base} ${n}`;
    if (!existsSync(candidate)) return candidate;
  }
}
