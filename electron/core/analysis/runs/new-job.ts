/**
 * A new job from what a person asked for: the spec checked (including a
 * custom schema), the photos found as discovery streams them in (each
 * becomes an item as it is found, up to the per-job cap), and the record
 * that is saved before any request goes out.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { basename, isAbsolute } from 'node:path';
import { z } from 'zod';
import { IMAGE_DETAILS, JOB_MODES, PRESET_IDS } from '../../../contract';
import { LoupeError } from '../../kernel/errors';
import { defaultJobName } from '../records/job-name';
import { claimOutputFolder } from '../output/output-folder';
import { discoverStream, type SkippedInput } from '../input/discover';
import { type Preset, resolvePreset } from '../records/presets';
import { type AnalysisAccount, MAX_CONCURRENCY_CAP } from './engine-config';
import type { ItemRecord } from '../records/item-record';
import type { JobRecord, JobSpec } from '../records/job-record';

const SpecSchema = z.object({
  name: z.string().trim().max(200).optional(),
  accountId: z.string().min(1).max(100).optional(),
  paths: z.array(z.string().min(1).max(4096)).min(1).max(10_000),
  preset: z.enum(PRESET_IDS),
  customPrompt: z.string().max(20_000).optional(),
  customSchema: z.unknown().optional(),
  model: z.string().trim().min(1).max(200),
  detail: z.enum(IMAGE_DETAILS),
  concurrencyCap: z.number().int().min(1).max(MAX_CONCURRENCY_CAP).optional(),
  mode: z.enum(JOB_MODES).optional(),
  outputDir: z.string().min(1).max(4096),
});

export type CheckedSpec = z.infer<typeof SpecSchema>;

/** The spec as the engine takes it, with its preset; a LoupeError naming the field otherwise. */
export function checkSpec(input: JobSpec): { spec: CheckedSpec; preset: Preset } {
  const parsed = SpecSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LoupeError('invalid_input', `Check the job settings: ${issue.message}`, { field: issue.path.join('.') });
  }
  const spec = parsed.data;
  const preset = resolvePreset(spec);
  if (!isAbsolute(spec.outputDir)) throw new LoupeError('invalid_input', 'The output folder must be a full path.', { field: 'outputDir' });
  return { spec, preset };
}

/** Half price through the Batch API: only where the account's server has it (accounts/readiness.ts, `account.can.batch`). */
export function requireBatchAccess(account: AnalysisAccount): void {
  if (account.batch?.allowed) return;
  throw new LoupeError('batch_unavailable', account.batch?.reason ?? 'Batch mode (half price, results within 24 h) needs an OpenAI API key.', {
    field: 'mode',
  });
}

/**
 * The job's items as discovery finds them: photos in the order found, then
 * what was left out (with the reason), numbered `i1`, `i2`… in that order.
 * Each found photo is one small record at once; no list of every file is
 * built first.
 */
export async function findItems(paths: string[], maxFiles: number): Promise<{ items: ItemRecord[]; photos: number; skipped: SkippedInput[] }> {
  const items: ItemRecord[] = [];
  const skipped: SkippedInput[] = [];
  for await (const found of discoverStream(paths, { maxFiles })) {
    for (const file of found.files) items.push({ id: `i${items.length + 1}`, path: file.path, size: file.size, status: 'pending' });
    for (const entry of found.skipped) skipped.push(entry);
  }
  const photos = items.length;
  for (const entry of skipped)
    items.push({ id: `i${items.length + 1}`, path: entry.path, status: 'skipped', error: { code: 'skipped', message: entry.reason } });
  return { items, photos, skipped };
}

export function newJobRecord(args: {
  id: string;
  name: string;
  now: number;
  spec: CheckedSpec;
  preset: Preset;
  outputDir: string;
  items: ItemRecord[];
}): JobRecord {
  const { spec, preset } = args;
  return {
    version: 1,
    id: args.id,
    name: args.name,
    createdAt: args.now,
    status: 'queued',
    spec: {
      ...(spec.accountId ? { accountId: spec.accountId } : {}),
      preset: spec.preset,
      ...(spec.preset === 'custom' ? { customPrompt: preset.prompt } : {}),
      ...(spec.preset === 'custom' && preset.schema ? { customSchema: preset.schema } : {}),
      model: spec.model,
      detail: spec.detail,
      // Absent: automatic, no ceiling of the person's own (the governor's rate × latency and memory budget decide).
      ...(spec.concurrencyCap !== undefined ? { concurrencyCap: spec.concurrencyCap } : {}),
      ...(spec.mode === 'batch' ? { mode: 'batch' as const } : {}),
      outputDir: args.outputDir,
      paths: spec.paths,
    },
    tokens: { input: 0, output: 0 },
    items: args.items,
  };
}

export function newJobId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `job-${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * The record of a new job: its photos found (none readable is refused, with
 * the first reason), its name, and its output folder claimed (another job's
 * results are never overwritten: such a folder gets a sub-folder for this one).
 */
export async function newJob(
  spec: CheckedSpec,
  preset: Preset,
  maxFiles: number,
  now: number,
): Promise<{ record: JobRecord; found: { photos: number; skipped: SkippedInput[] } }> {
  const found = await findItems(spec.paths, maxFiles);
  if (found.photos === 0) {
    const why = found.skipped[0] ? ` ${basename(found.skipped[0].path)}: ${found.skipped[0].reason}` : '';
    throw new LoupeError('no_images', `None of the dropped files is a photo Loupe can read.${why}`, { field: 'paths' });
  }
  const id = newJobId(now);
  const name = spec.name || defaultJobName(spec.paths, now, found.photos);
  let outputDir: string;
  try {
    mkdirSync(spec.outputDir, { recursive: true });
    accessSync(spec.outputDir, constants.W_OK);
    outputDir = claimOutputFolder(spec.outputDir, id, name);
  } catch {
    throw new LoupeError('output_dir_unwritable', 'Loupe can’t create or write to that output folder. Choose another one.', { field: 'outputDir' });
  }
  return { record: newJobRecord({ id, name, now, spec, preset, outputDir, items: found.items }), found };
}
