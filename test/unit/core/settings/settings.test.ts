/**
 * The concurrency setting: Automatic by default, a number as an optional
 * ceiling; in files written before Automatic existed the defaults older
 * Loupe saved become Automatic and a number typed stays the ceiling; the
 * command schemas take the same vocabulary as the store.
 */
import { describe, expect, it } from 'vitest';
import { CONCURRENCY_AUTO, SETTINGS_LIMITS, commands } from '../../../../electron/contract';
import { ceiling } from '../../../../electron/core/analysis/start-job';
import { DEFAULT_SETTINGS, SETTINGS_VERSION, Settings, migrateConcurrency } from '../../../../electron/core/settings/settings';
import { memoryStore } from '../../../support/memory-store';

const stored = (analysisConcurrency: unknown) => new Settings(memoryStore({ settings: { theme: 'dark', analysisConcurrency } })).get();

describe('analysis concurrency setting', () => {
  it('is Automatic when nothing is saved', () => {
    expect(DEFAULT_SETTINGS.analysisConcurrency).toBe(CONCURRENCY_AUTO);
    expect(new Settings(memoryStore()).get().analysisConcurrency).toBe('auto');
  });

  it('migrates a file from before Automatic: the defaults it wrote become Automatic, a number typed stays the ceiling, unusable values become Automatic', () => {
    const { max } = SETTINGS_LIMITS.analysisConcurrency;
    // Older Loupe saved its default (16, later 64) with any other change: not the person's choice.
    expect(stored(16).analysisConcurrency).toBe('auto');
    expect(stored(64).analysisConcurrency).toBe('auto');
    expect(stored(8).analysisConcurrency).toBe(8);
    expect(stored(63).analysisConcurrency).toBe(63);
    expect(stored(7.6).analysisConcurrency).toBe(8);
    expect(stored(500).analysisConcurrency).toBe(max);
    expect(stored(0).analysisConcurrency).toBe('auto');
    expect(stored(-3).analysisConcurrency).toBe('auto');
    expect(stored('fast').analysisConcurrency).toBe('auto');
    expect(stored(null).analysisConcurrency).toBe('auto');
    expect(stored('auto').analysisConcurrency).toBe('auto');
    // Other fields are untouched by the migration.
    expect(stored(8).theme).toBe('dark');
    expect(migrateConcurrency(Number.NaN)).toBeNaN();
  });

  it('keeps a ceiling of 16 or 64 chosen now: files saved since Automatic carry their version', async () => {
    const store = memoryStore({ settings: { analysisConcurrency: 8 } });
    await new Settings(store).update({ analysisConcurrency: 64 });
    expect((store.data.settings as { version: unknown }).version).toBe(SETTINGS_VERSION);
    expect(new Settings(store).get().analysisConcurrency).toBe(64);
    await new Settings(store).update({ analysisConcurrency: 16 });
    expect(new Settings(store).get().analysisConcurrency).toBe(16);
    // The version is the file's, not a setting.
    expect(new Settings(store).get()).not.toHaveProperty('version');
  });

  it('saves Automatic or a ceiling, and writes what it reads', async () => {
    const store = memoryStore({ settings: { analysisConcurrency: 64 } });
    const settings = new Settings(store);
    expect((await settings.update({ analysisConcurrency: 'auto' })).analysisConcurrency).toBe('auto');
    expect((store.data.settings as { analysisConcurrency: unknown }).analysisConcurrency).toBe('auto');
    expect(new Settings(store).get().analysisConcurrency).toBe('auto');
    expect((await settings.update({ analysisConcurrency: 12 })).analysisConcurrency).toBe(12);
    expect(new Settings(store).get().analysisConcurrency).toBe(12);
  });

  it('the commands take "auto" or a whole number within the limits, nothing else', () => {
    const patch = commands['settings.update'].input;
    const { min, max } = SETTINGS_LIMITS.analysisConcurrency;
    expect(patch.safeParse({ analysisConcurrency: 'auto' }).success).toBe(true);
    expect(patch.safeParse({ analysisConcurrency: min }).success).toBe(true);
    expect(patch.safeParse({ analysisConcurrency: max }).success).toBe(true);
    for (const bad of [min - 1, max + 1, 2.5, 'fast', 'Auto', null]) expect(patch.safeParse({ analysisConcurrency: bad }).success).toBe(false);
    const start = commands['analysis.start'].input;
    expect(start.safeParse({ preset: 'describe', concurrency: 'auto', mode: 'batch' }).success).toBe(true);
    expect(start.safeParse({ preset: 'describe', mode: 'overnight' }).success).toBe(false);
  });

  it('Automatic gives a job no ceiling of its own; a number is its ceiling', () => {
    expect(ceiling('auto')).toEqual({});
    expect(ceiling(8)).toEqual({ concurrencyCap: 8 });
  });
});
