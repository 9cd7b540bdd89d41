/**
 * The staging list: what was dropped or picked, before a job starts. Each
 * entry is checked in the background (staged-contents.ts: a folder's photo
 * count, a file's problem) and published as it is known; previews are made
 * a page at a time on request (staged-thumbnails.ts).
 */
import { basename, isAbsolute } from 'node:path';
import type { StagedInput, StagedThumbnail } from '../../../contract';
import { LoupeError } from '../../kernel/errors';
import { checkStaged } from './staged-contents';
import { StagedThumbnails, type StagedThumbnailOptions } from './staged-thumbnails';

export class Staging {
  #staged: StagedInput[] = [];
  /** Staged entries still being checked (tests and shutdown wait for them). */
  readonly #checks = new Set<Promise<void>>();
  /** Previews of staged photos, asked for by the window a page at a time (not in AppState). */
  readonly thumbnails: StagedThumbnails;

  constructor(
    private readonly onChange: () => void,
    options?: StagedThumbnailOptions,
  ) {
    this.thumbnails = new StagedThumbnails(options);
  }

  get list(): StagedInput[] {
    return this.#staged;
  }

  /** Resolves once every staged entry added so far has been checked. */
  async checked(): Promise<void> {
    while (this.#checks.size > 0) await Promise.all([...this.#checks]);
  }

  /** Every check ended, whatever it found (before a quit). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#checks]);
  }

  stage(paths: readonly string[]): void {
    if (paths.length === 0)
      throw new LoupeError('not_allowed', 'Only photos and folders from this computer can be added. Drop them from your file manager.');
    // Dropped and picked files always arrive as full paths; anything else would be read relative to wherever Loupe runs.
    const bad = paths.findIndex((path) => !isAbsolute(path) || path.includes('\0'));
    if (bad >= 0) throw new LoupeError('invalid_input', 'Only full paths to files or folders can be added.', { field: `paths.${bad}` });
    const known = new Set(this.#staged.map((s) => s.path));
    const added: StagedInput[] = [];
    for (const path of paths) {
      // Skips what is already staged and repeats within this batch (a folder dropped twice at once).
      if (known.has(path)) continue;
      known.add(path);
      added.push({ path, name: basename(path) || path, kind: 'file', photoCount: null, problem: null });
    }
    if (this.#staged.length + added.length > 10_000)
      throw new LoupeError('too_many_inputs', 'Loupe takes at most 10,000 photos and folders at once.');
    this.#staged = [...this.#staged, ...added];
    for (const entry of added) this.#check(entry.path);
    this.onChange();
  }

  /** Checks one staged entry in the background (staged-contents.ts) and publishes what it holds. */
  #check(path: string): void {
    const check = checkStaged(path)
      .catch(() => ({ kind: 'file' as const, photoCount: 0, problem: 'Loupe couldn’t read this.' }))
      .then((result) => {
        if (!this.#staged.some((s) => s.path === path)) return;
        this.#staged = this.#staged.map((s) => (s.path === path ? { ...s, ...result } : s));
        this.onChange();
      })
      .finally(() => this.#checks.delete(check));
    this.#checks.add(check);
  }

  /** Previews of staged photos and folders; a path that is not staged is refused. */
  thumbnailsOf(paths: string[]): Promise<StagedThumbnail[]> {
    return this.thumbnails.get(paths, this.#staged);
  }

  unstage(path: string): void {
    this.#staged = this.#staged.filter((s) => s.path !== path);
    this.onChange();
  }

  clear(): void {
    this.#staged = [];
    this.thumbnails.clear();
    this.onChange();
  }

  /** A job started from the list: it empties, its previews stay for the next drop. */
  taken(): void {
    this.#staged = [];
  }
}
