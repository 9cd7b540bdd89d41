/**
 * Vault files set aside as corrupt. They are kept at first (the notice names
 * the file, and a person may want it back), but a file full of old tokens
 * must not lie around for ever: it is deleted once the person has been told
 * and a new sign-in succeeded, or 30 days after it was set aside.
 *
 * The ledger lives in the vault store next to the encrypted blob; it holds
 * only paths and times. Only files this ledger recorded, next to the store
 * and named like a set-aside copy of it, are ever deleted, so an edited
 * ledger cannot make Loupe delete anything else.
 */
import { rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { z } from 'zod';
import type { KeyValueStore, Logger } from '../../kernel/deps';

export const SET_ASIDE_KEEP_MS = 30 * 24 * 60 * 60_000;
const LEDGER_KEY = 'setAside';
const Ledger = z.array(z.object({ path: z.string(), at: z.number() }));
type Entry = z.infer<typeof Ledger>[number];

/** The ledger of set-aside vault copies, and their deletion. */
export class CorruptCopies {
  constructor(
    private readonly store: KeyValueStore,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {}

  entries(): Entry[] {
    const parsed = Ledger.safeParse(this.store.get(LEDGER_KEY));
    return parsed.success ? parsed.data : [];
  }

  async record(path: string): Promise<void> {
    await this.store.set(LEDGER_KEY, [...this.entries(), { path, at: this.now() }]);
  }

  /** At start-up: files older than 30 days go. */
  purgeExpired(): Promise<number> {
    return this.#purge((e) => this.now() - e.at >= SET_ASIDE_KEEP_MS);
  }

  /** After a new sign-in succeeded: the person has been told and has a working vault again. */
  purgeAll(): Promise<number> {
    return this.#purge(() => true);
  }

  async #purge(due: (entry: Entry) => boolean): Promise<number> {
    const entries = this.entries();
    if (entries.length === 0) return 0;
    const keep: Entry[] = [];
    let removed = 0;
    for (const entry of entries) {
      if (!due(entry)) {
        keep.push(entry);
        continue;
      }
      if (this.#isOurs(entry.path)) {
        try {
          await rm(entry.path, { force: true });
          removed++;
        } catch {
          keep.push(entry);
          continue;
        }
      }
    }
    if (keep.length === 0) await this.store.delete(LEDGER_KEY);
    else await this.store.set(LEDGER_KEY, keep);
    if (removed > 0) this.log.info('deleted set-aside vault files', { count: removed });
    return removed;
  }

  #isOurs(path: string): boolean {
    return dirname(path) === dirname(this.store.path) && basename(path).startsWith(`${basename(this.store.path)}.corrupt-`) && !path.includes('\0');
  }
}
