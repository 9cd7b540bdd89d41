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
 * Settings files from before "Automatic" stored a number (64 unless changed): it stays the
 * person's ceiling, a fraction rounded and a number above the limit brought down to it. Anything
 * unusable (below the minimum, not a number) is Automatic, the default.
 */
export function migrateConcurrency(stored: unknown): unknown {
  if (typeof stored !== 'number' || !Number.isFinite(stored)) return stored;
  const { min, max } = SETTINGS_LIMITS.analysisConcurrency;
  const whole = Math.round(stored);
  return whole < min ? CONCURRENCY_AUTO : Math.min(max, whole);
}

export const DEFAULT_SETTINGS: SettingsView = SettingsSchema.parse({});

/**
 * Settings persisted in the `settings` store. A hand-edited or stale value
 * falls back to its default field by field instead of failing the whole file.
 */
export class Settings {
  #value: SettingsView;

  constructor(private readonly store: KeyValueStore) {
    this.#value = SettingsSchema.parse(store.get('settings') ?? {});
  }

  get(): SettingsView {
    return this.#value;
  }

  update(patch: { [K in keyof SettingsView]?: SettingsView[K] | undefined }): SettingsView {
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    this.#value = SettingsSchema.parse({ ...this.#value, ...defined });
    this.store.set('settings', this.#value);
    return this.#value;
  }
}
