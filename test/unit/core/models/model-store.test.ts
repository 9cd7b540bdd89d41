import { describe, expect, it } from 'vitest';
import { ModelStore } from '../../../../electron/core/models/model-store';
import { memoryStore } from '../../../support/memory-store';

const list = { items: [{ slug: 'gpt-5', displayName: 'GPT-5', serverVision: true }], fetchedAt: 1_000 };

describe('the model catalogue store', () => {
  it('moves the keys older versions kept in settings, once, and leaves the settings alone otherwise', async () => {
    const settings = memoryStore({
      settings: { theme: 'dark' },
      hostId: 'urn:uuid:x',
      modelCache: { a: list },
      defaultModels: { a: 'gpt-5' },
      visionOverrides: { 'a gpt-5': false },
    });
    const models = memoryStore();
    const store = await ModelStore.open(models, settings);
    expect(store.cache()).toEqual({ a: list });
    expect(store.defaults()).toEqual({ a: 'gpt-5' });
    expect(store.visionOverrides()).toEqual({ 'a gpt-5': false });
    expect(settings.data).toEqual({ settings: { theme: 'dark' }, hostId: 'urn:uuid:x' });
  });

  it('keeps what the models store already has over a stale copy in settings', async () => {
    const settings = memoryStore({ defaultModels: { a: 'old' } });
    const store = await ModelStore.open(memoryStore({ defaultModels: { a: 'new' } }), settings);
    expect(store.defaults()).toEqual({ a: 'new' });
    expect(settings.data).toEqual({});
  });

  it('drops malformed entries one by one instead of the whole store', () => {
    const store = new ModelStore(
      memoryStore({
        modelCache: { a: list, b: { items: 'nope' }, c: { items: [{ slug: '' }], fetchedAt: 1 } },
        defaultModels: { a: 'gpt-5', b: 42 },
        visionOverrides: ['not', 'a', 'map'],
      }),
    );
    expect(store.cache()).toEqual({ a: list });
    expect(store.defaults()).toEqual({ a: 'gpt-5' });
    expect(store.visionOverrides()).toEqual({});
  });

  it('writes each part under its own key', async () => {
    const backing = memoryStore();
    const store = new ModelStore(backing);
    await store.setCache({ a: list });
    await store.setDefaults({ a: 'gpt-5' });
    await store.setVisionOverrides({ 'a gpt-5': true });
    expect(backing.data).toEqual({ modelCache: { a: list }, defaultModels: { a: 'gpt-5' }, visionOverrides: { 'a gpt-5': true } });
  });
});
