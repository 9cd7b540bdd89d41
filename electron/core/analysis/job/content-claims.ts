/**
 * Within one job: which item owns each content hash (identical photos are
 * analysed once, by the first item with that hash), which output file name
 * each item holds (two photos never share one), and the duplicates waiting
 * for their original to finish. One entry per photo, kept only for the run.
 */
import { outputFileName } from '../output/item-file';
import { isOpen } from '../lifecycle/item-lifecycle';
import type { ItemRecord } from '../records/item-record';

export class ContentClaims {
  /** Which item owns each content hash in this job. */
  readonly #owners = new Map<string, string>();
  /** Output file names taken, so two photos never share one. */
  readonly #claimed = new Map<string, string>();
  /** Duplicates waiting for their original, by the original's id. */
  readonly #waiters = new Map<string, Array<{ id: string; resolve(): void }>>();

  /** What earlier runs settled: their hashes and file names stay taken. */
  constructor(items: Iterable<ItemRecord>) {
    for (const item of items) {
      if (item.outputFile) this.#claimed.set(item.outputFile, item.id);
      if (item.hash && !item.duplicateOf && !this.#owners.has(item.hash) && !isOpen(item.status) && item.status !== 'not_run')
        this.#owners.set(item.hash, item.id);
    }
  }

  /** The item that owns this content, if another one does. */
  ownerOf(hash: string): string | undefined {
    return this.#owners.get(hash);
  }

  own(hash: string, id: string): void {
    this.#owners.set(hash, id);
  }

  /** A photo already in a batch (after a restart) owns its content hash and output name. */
  adopt(item: ItemRecord): void {
    if (item.hash && !this.#owners.has(item.hash)) this.#owners.set(item.hash, item.id);
    if (item.outputFile) this.#claimed.set(item.outputFile, item.id);
  }

  /** The photo changed since its file name was given: the name is free again. */
  release(item: ItemRecord): void {
    if (item.outputFile && this.#claimed.get(item.outputFile) === item.id) this.#claimed.delete(item.outputFile);
  }

  /** The item's output file name: the one it holds, else `<name>-<hash8>.json` (with its id when that is taken). */
  claim(item: ItemRecord, hash: string): string {
    if (item.outputFile) return item.outputFile;
    let name = outputFileName(item.path, hash);
    const holder = this.#claimed.get(name);
    // Only the same photo under the same name can collide; the item id keeps the copies apart.
    if (holder && holder !== item.id) name = outputFileName(item.path, hash, item.id);
    this.#claimed.set(name, item.id);
    return name;
  }

  /** Resolves once the original settles (takeWaiters) or is forgotten when the duplicate is released. */
  wait(ownerId: string, id: string): Promise<void> {
    let resolve!: () => void;
    const until = new Promise<void>((r) => (resolve = r));
    const list = this.#waiters.get(ownerId) ?? [];
    list.push({ id, resolve });
    this.#waiters.set(ownerId, list);
    return until;
  }

  /** The duplicates waiting for this original, which stop waiting now. */
  takeWaiters(ownerId: string): Array<{ id: string; resolve(): void }> {
    const list = this.#waiters.get(ownerId) ?? [];
    this.#waiters.delete(ownerId);
    return list;
  }

  /** A duplicate that was waiting leaves the original's list; it re-checks when the job resumes. */
  stopWaiting(id: string): void {
    for (const [owner, list] of this.#waiters) {
      const rest = list.filter((w) => w.id !== id);
      if (rest.length) this.#waiters.set(owner, rest);
      else this.#waiters.delete(owner);
    }
  }
}
