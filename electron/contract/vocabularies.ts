/** The contract's `as const` vocabularies and setting limits (see electron/contract.ts). */

// ---------------------------------------------------------------------------
// Vocabularies and limits: written once here; the schemas below, the core and
// the renderer all read them.

export const THEMES = ['system', 'light', 'dark'] as const;
export const ACCOUNT_KINDS = ['chatgpt', 'api_key', 'custom'] as const;
export const PRESET_IDS = ['describe', 'damage', 'custom'] as const;
export const IMAGE_DETAILS = ['low', 'high', 'auto'] as const;
export const JOB_STATUSES = ['queued', 'running', 'paused', 'done', 'failed', 'cancelled', 'stopped'] as const;
/**
 * A photo's status: `unparsed` is answered but not readable against the schema (raw text kept); `not_run`
 * belongs to a job cancelled for good before the photo ran (nothing paid; "Analyse remaining" takes it).
 */
export const ITEM_STATUSES = ['pending', 'in_flight', 'done', 'unparsed', 'failed', 'skipped', 'not_run'] as const;

/** Every numeric setting: its bounds (the form and the schemas) and the value used when none is saved. */
export const SETTINGS_LIMITS = {
  expiryWarningMinutes: { min: 1, max: 120, default: 10 },
  refreshMarginSeconds: { min: 30, max: 900, default: 120 },
  callbackPort: { min: 0, max: 65535, default: 0 },
  signInTimeoutMinutes: { min: 1, max: 60, default: 10 },
  // An optional ceiling (see CONCURRENCY_AUTO in concurrency.ts): Loupe keeps rate × latency requests in flight below it
  // (analysis/pacing/little-law.ts). `default` is the number offered when a person first sets one.
  analysisConcurrency: { min: 1, max: 64, default: 16 },
} as const;
export type LimitedSetting = keyof typeof SETTINGS_LIMITS;
