/**
 * What a job analyses and how, written once: the window's `analysis.start`
 * picks from it (the core fills in the rest: photos from the staging list,
 * model and detail from Settings, the output folder from the dialog or a new
 * one), the engine is given it, and the saved job holds it (see
 * electron/contract.ts).
 */
import { z } from 'zod';
import { JOB_MODES } from './batch-mode';
import { concurrencySetting } from './concurrency';
import { IMAGE_DETAILS, PRESET_IDS, SETTINGS_LIMITS } from './vocabularies';

/** The longest custom prompt, in characters. */
export const MAX_CUSTOM_PROMPT = 20_000;

// Built lazily inside pure calls so bundles that need only the types and constants (the preload) leave zod out.
export const JobSpecSchema = /* @__PURE__ */ (() => {
  const Path = z.string().min(1).max(4096);
  const { min, max } = SETTINGS_LIMITS.analysisConcurrency;
  return z.strictObject({
    /** The account whose requests the job uses, whichever account is active later. */
    accountId: z.string().min(1).max(100).optional(),
    preset: z.enum(PRESET_IDS),
    /** A custom preset's request about each photo. */
    customPrompt: z.string().max(MAX_CUSTOM_PROMPT).optional(),
    /** A custom preset's answer schema, normalised for strict structured outputs. */
    customSchema: z.record(z.string(), z.unknown()).optional(),
    model: z.string().trim().min(1).max(200),
    detail: z.enum(IMAGE_DETAILS),
    /** The person's ceiling on requests at once; absent: automatic (rate × latency within the memory budget). */
    concurrencyCap: z.number().int().min(min).max(max).optional(),
    /** 'batch': through the Batch API (half price, results within 24 h; where `account.can.batch` allows). */
    mode: z.enum(JOB_MODES).optional(),
    /** The job's own output folder, claimed when the job was created. */
    outputDir: Path,
    /** What was dropped or picked: photos and folders. */
    paths: z.array(Path).min(1).max(10_000),
  });
})();

export type JobSpec = z.infer<typeof JobSpecSchema>;

/** A job's name as a person gives it. */
export const jobName = () => z.string().trim().min(1).max(120);

/** `analysis.start`: the spec's choices the window makes; what it leaves out comes from the person's defaults. */
export const JobStartSchema = /* @__PURE__ */ (() => {
  const spec = JobSpecSchema.shape;
  return z.strictObject({
    preset: spec.preset,
    model: spec.model.optional(),
    detail: spec.detail.optional(),
    concurrency: concurrencySetting().optional(),
    mode: spec.mode,
    customPrompt: spec.customPrompt,
    /** A JSON schema as text; validated and normalised before the job starts. */
    customSchema: z.string().max(100_000).optional(),
    name: jobName().optional(),
  });
})();
