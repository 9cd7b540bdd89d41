/**
 * A new job from what a person asked for: the request checked (including a
 * custom schema), the photos found as discovery streams them in (each
 * becomes an item as it is found, up to the per-job cap), the job's name
 * (given, or made here from what it holds), its output folder claimed, and
 * the record that is saved before any request goes out.
 */
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename, isAbsolute } from 'node:path';
import { z } from 'zod';
import { JobSpecSchema, jobName } from '../../../contract';
import { LoupeError } from '../../kernel/errors';
import { discoverStream, type SkippedInput } from '../input/discover';
import { type OutputChoice, claimOutputFolder } from '../output/output-folder';
import type { ItemRecord } from '../records/item-record';
import type { JobRecord } from '../records/job-record';
import { defaultJobName } from '../records/job-name';
import type { OutputFolder } from '../records/output-files';
import { type Preset, resolvePreset } from '../records/presets';
import type { AnalysisAccount } from './engine-config';

/** What the engine is asked to start: the job spec, with the output folder still to claim and the schema as the person wrote it. */
const JobRequestSchema = /* @__PURE__ */ (() => {
  const { outputDir, customSchema: _normalised, ...spec } = JobSpecSchema.shape;
  return z.object({
    ...spec,
    /** The person's name for the job; absent: one is made from what it holds (records/job-name.ts). */
    name: jobName().optional(),
    /** A JSON schema as an object or text; normalised into the spec (records/presets.ts). */
    customSchema: z.unknown().optional(),
    /** Results go into this folder (into a new one inside it when it holds another job's results)… */
    outputDir: outputDir.optional(),
    /** …or into a new folder named after the job inside this one. */
    outputRoot: outputDir.optional(),
  });
})();

export type JobRequest = z.input<typeof JobRequestSchema> & ({ outputDir: string } | { outputRoot: string });
type CheckedRequest = z.output<typeof JobRequestSchema>;

/** The request as the engine takes it, with its preset; a LoupeError naming the field otherwise. */
export function checkRequest(input: JobRequest): { request: CheckedRequest; preset: Preset; output: OutputChoice } {
  const parsed = JobRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LoupeError('invalid_input', `Check the job settings: ${issue.message}`, { field: issue.path.join('.') });
  }
  const request = parsed.data;
  const preset = resolvePreset(request);
  const folder = request.outputDir ?? request.outputRoot;
  if (folder === undefined || !isAbsolute(folder))
    throw new LoupeError('invalid_input', 'The output folder must be a full path.', { field: 'outputDir' });
  return { request, preset, output: request.outputDir !== undefined ? { into: request.outputDir } : { under: folder } };
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

function newJobRecord(args: {
  id: string;
  name: string;
  now: number;
  request: CheckedRequest;
  preset: Preset;
  folder: OutputFolder;
  items: ItemRecord[];
}): JobRecord {
  const { name: _name, outputDir: _dir, outputRoot: _root, customPrompt: _prompt, customSchema: _schema, ...settings } = args.request;
  const { preset } = args;
  // The one spec, checked once more as it is saved: what a later Loupe reads back.
  const spec = JobSpecSchema.parse({
    ...settings,
    // A custom preset's prompt and schema as they are sent: trimmed, and normalised for strict mode.
    ...(preset.id === 'custom' ? { customPrompt: preset.prompt } : {}),
    ...(preset.id === 'custom' && preset.schema ? { customSchema: preset.schema } : {}),
    outputDir: args.folder.dir,
  });
  return {
    version: 1,
    id: args.id,
    name: args.name,
    createdAt: args.now,
    status: 'queued',
    spec,
    tokens: { input: 0, output: 0 },
    items: args.items,
  };
}

function newJobId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `job-${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * The record of a new job: its photos found (none readable is refused, with
 * the first reason, and leaves no folder behind), its name, and its output
 * folder claimed (another job's results are never overwritten).
 */
export async function newJob(
  checked: { request: CheckedRequest; preset: Preset; output: OutputChoice },
  maxFiles: number,
  now: number,
): Promise<{ record: JobRecord; found: { photos: number; skipped: SkippedInput[] } }> {
  const { request, preset } = checked;
  const found = await findItems(request.paths, maxFiles);
  if (found.photos === 0) {
    const why = found.skipped[0] ? ` ${basename(found.skipped[0].path)}: ${found.skipped[0].reason}` : '';
    throw new LoupeError('no_images', `None of the dropped files is a photo Loupe can read.${why}`, { field: 'paths' });
  }
  const id = newJobId(now);
  // The job's name, made once: its folder is named after it.
  const name = request.name ?? defaultJobName(request.paths, now, found.photos, await isOneFolder(request.paths));
  let folder: OutputFolder;
  try {
    folder = await claimOutputFolder(checked.output, id, name);
  } catch {
    throw new LoupeError('output_dir_unwritable', 'Loupe can’t create or write to that output folder. Choose another one.', { field: 'outputDir' });
  }
  return { record: newJobRecord({ id, name, now, request, preset, folder, items: found.items }), found };
}

/** One folder was dropped (the job is then named after it). */
async function isOneFolder(paths: string[]): Promise<boolean> {
  if (paths.length !== 1) return false;
  try {
    return (await stat(paths[0]!)).isDirectory();
  } catch {
    return false;
  }
}
