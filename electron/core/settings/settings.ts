import { z } from 'zod';
import type { SettingsView } from '../../contract';
import type { KeyValueStore } from '../kernel/deps';

const SettingsSchema = z.object({
  theme: z.enum(['system', 'light', 'dark']).catch('system'),
  expiryWarningMinutes: z.number().int().min(1).max(120).catch(10),
  refreshMarginSeconds: z.number().int().min(30).max(900).catch(120),
  allowWeakStorage: z.boolean().catch(false),
  callbackPort: z.number().int().min(0).max(65535).catch(0),
  signInTimeoutMinutes: z.number().int().min(1).max(60).catch(10),
  analysisConcurrency: z.number().int().min(1).max(64).catch(16),
  analysisDetail: z.enum(['low', 'high', 'auto']).catch('auto'),
  prices: z
    .array(z.object({ model: z.string().min(1), inputPerMillion: z.number().min(0), outputPerMillion: z.number().min(0) }))
    .catch([]),
});

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

  update(patch: Partial<SettingsView>): SettingsView {
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    this.#value = SettingsSchema.parse({ ...this.#value, ...defined });
    this.store.set('settings', this.#value);
    return this.#value;
  }
}
