/**
 * The model catalogue's own store (`models`): the last good list per account,
 * the chosen default model and the vision overrides. Read through zod entry by
 * entry, so a hand-edited or stale entry is dropped instead of breaking the
 * screen. Versions before this store kept these keys in `settings`; they move
 * here on first open, so nobody loses a cached list or a selection.
 */
import { z } from 'zod';
import type { KeyValueStore } from '../kernel/deps';

const RawModelSchema = z.object({ slug: z.string().min(1), displayName: z.string(), serverVision: z.boolean().optional() });
const CachedListSchema = z.object({ items: z.array(RawModelSchema), fetchedAt: z.number() });
export type CachedList = z.infer<typeof CachedListSchema>;

const KEYS = {
  modelCache: CachedListSchema,
  defaultModels: z.string().min(1),
  visionOverrides: z.boolean(),
} as const;
type Key = keyof typeof KEYS;
type Entry<K extends Key> = z.infer<(typeof KEYS)[K]>;

export class ModelStore {
  constructor(private readonly store: KeyValueStore) {}

  /** Opens the store, moving the keys an older version kept in the settings store. */
  static async open(store: KeyValueStore, legacySettings: KeyValueStore): Promise<ModelStore> {
    for (const key of Object.keys(KEYS) as Key[]) {
      const old = legacySettings.get(key);
      if (old === undefined) continue;
      if (store.get(key) === undefined) await store.set(key, old);
      await legacySettings.delete(key);
    }
    return new ModelStore(store);
  }

  /** Per account: the last good list. */
  cache(): Record<string, CachedList> {
    return this.#read('modelCache');
  }

  /** Per account: the chosen default model. */
  defaults(): Record<string, string> {
    return this.#read('defaultModels');
  }

  /** Per `<account id> <slug>`: does the model take images (the person's word over the server's). */
  visionOverrides(): Record<string, boolean> {
    return this.#read('visionOverrides');
  }

  async setCache(value: Record<string, CachedList>): Promise<void> {
    await this.store.set('modelCache', value);
  }

  async setDefaults(value: Record<string, string>): Promise<void> {
    await this.store.set('defaultModels', value);
  }

  async setVisionOverrides(value: Record<string, boolean>): Promise<void> {
    await this.store.set('visionOverrides', value);
  }

  #read<K extends Key>(key: K): Record<string, Entry<K>> {
    const value = this.store.get(key);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
    const out: Record<string, Entry<K>> = {};
    for (const [id, entry] of Object.entries(value)) {
      const parsed = KEYS[key].safeParse(entry);
      if (parsed.success) out[id] = parsed.data as Entry<K>;
    }
    return out;
  }
}
