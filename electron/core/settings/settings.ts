import { z } from 'zod';
import { CONCURRENCY_AUTO, IMAGE_DETAILS, SETTINGS_LIMITS, type SettingsView, THEMES, concurrencySetting, limitedSetting } from '../../contract';
import type { KeyValueStore } from '../kernel/deps';

const SettingsSchema = z.object({
  theme: z.enum(THEMES).catch('system'),
  expiryWarningMinutes: limitedSetting('expiryWarningMinutes').catch(SETTINGS_LIMITS.expiryWarningMinutes.default),
  refreshMarginSeconds: limitedSetting('refreshMarginSeconds').catch(SETTINGS_LIMITS.refreshMarginSeconds.default),
  allowWeakStorage: z.boolean().catch(false),
  callbackPort: limitedSetting('callbackPort').catch(SETTINGS_LIMITS.callbackPort.default),
  signInTimeoutMinutes: limitedSetting('signInTimeoutMinutes').catch(SETTINGS_LIMITS.signInTimeoutMinutes.default),
  analysisConcurrency: z.preprocess(migrateConcurrency, concurrencySetting()).catch(CONCURRENCY_AUTO),
  analysisDetail: z.enum(IMAGE_DETAILS).catch('auto'),
  prices: z.array(z.object({ model: z.string().min(1), inputPerMillion: z.number().min(0), outputPerMillion: z.number().min(0) })).catch([]),
});

/**
 * A stored number is the person's ceiling, a fraction rounded and a number above the limit
 * brought down to it. Anything unusable (below the minimum, not a number) is Automatic, the
 * default. (Files from before "Automatic": see `fromOlderLoupe`.)
 */
export function migrateConcurrency(stored: unknown): unknown {
  if (typeof stored !== 'number' || !Number.isFinite(stored)) return stored;
  const { min, max } = SETTINGS_LIMITS.analysisConcurrency;
  const whole = Math.round(stored);
  return whole < min ? CONCURRENCY_AUTO : Math.min(max, whole);
}

export const DEFAULT_SETTINGS: SettingsView = SettingsSchema.parse({});

/** Written with every save since "Automatic" existed; a file without it comes from older Loupe. */
export const SETTINGS_VERSION = 2;
/**
 * The concurrency defaults older Loupe wrote into the file whenever any other setting was saved
 * (16, later 64): not a choice the person made, so they become Automatic. Any other number was
 * typed by the person and stays their ceiling.
 */
const OLDER_DEFAULTS: readonly unknown[] = [16, 64];

export function fromOlderLoupe(stored: unknown): unknown {
  if (!stored || typeof stored !== 'object') return stored;
  const file = stored as { version?: unknown; analysisConcurrency?: unknown };
  if (file.version === SETTINGS_VERSION || !OLDER_DEFAULTS.includes(file.analysisConcurrency)) return stored;
  return { ...file, analysisConcurrency: CONCURRENCY_AUTO };
}

/**
 * Settings persisted in the `settings` store. A hand-edited or stale value
 * falls back to its default field by field instead of failing the whole file.
 */
export class Settings {
  #value: SettingsView;

  constructor(private readonly store: KeyValueStore) {
    this.#value = SettingsSchema.parse(fromOlderLoupe(store.get('settings')) ?? {});
  }

  get(): SettingsView {
    return this.#value;
  }

  async update(patch: { [K in keyof SettingsView]?: SettingsView[K] | undefined }): Promise<SettingsView> {
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    this.#value = SettingsSchema.parse({ ...this.#value, ...defined });
    await this.store.set('settings', { ...this.#value, version: SETTINGS_VERSION });
    return this.#value;
  }
}
