/**
 * Small previews of what is staged, asked for a page at a time by the window
 * (never part of AppState, which is sent on every change). Only a staged
 * file, a staged folder, or a file inside a staged folder can be previewed:
 * the window cannot make Loupe read any other path. Previews are kept in
 * memory by path, size and modification time, oldest out past a cap.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { StagedInput, StagedThumbnail } from '../../../contract';
import { LoupeError } from '../../kernel/errors';
import { describeFsError, discoverInputs } from '../input/discover';
import { prepareThumbnailOnly } from '../input/prepare';

/** Longest edge of a staged preview, in pixels: sharp on a high-density screen at the list's size. */
export const STAGED_THUMBNAIL_EDGE = 112;
/** At most this many paths per request (a page of the list). */
export const STAGED_THUMBNAILS_PER_CALL = 48;
/** A staged folder shows its first few photos. */
export const FOLDER_PREVIEWS = 3;
/** Previews made at once: the machine stays responsive while a long list fills in. */
const PARALLEL = 2;

export interface StagedThumbnailOptions {
  /** Most previews kept in memory. Default 400. */
  maxEntries?: number;
  /** Most characters of data URLs kept in memory. Default 8 MB. */
  maxChars?: number;
}

interface Cached {
  key: string;
  src: string | null;
  problem: string | null;
}

export class StagedThumbnails {
  readonly #cache = new Map<string, Cached>();
  #chars = 0;
  /** Previews being made now, across every request, and those waiting for a turn. */
  #running = 0;
  readonly #waiting: Array<() => void> = [];
  readonly #maxEntries: number;
  readonly #maxChars: number;

  constructor(options: StagedThumbnailOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 400;
    this.#maxChars = options.maxChars ?? 8 * 1024 * 1024;
  }

  /** How many previews are held now, and their total size in characters (tests). */
  get stats(): { entries: number; chars: number } {
    return { entries: this.#cache.size, chars: this.#chars };
  }

  clear(): void {
    this.#cache.clear();
    this.#chars = 0;
  }

  /** Previews for `paths`, in order; throws invalid_input when any path is not staged (nothing is read then). */
  async get(paths: readonly string[], staged: readonly StagedInput[]): Promise<StagedThumbnail[]> {
    if (paths.length > STAGED_THUMBNAILS_PER_CALL)
      throw new LoupeError('invalid_input', `Ask for at most ${STAGED_THUMBNAILS_PER_CALL} previews at once.`, { field: 'paths' });
    const targets = paths.map((path, i) => {
      const target = resolveStaged(path, staged);
      if (!target) throw new LoupeError('invalid_input', 'Only photos you added can be previewed.', { field: `paths.${i}` });
      return target;
    });
    const out = new Array<StagedThumbnail>(targets.length);
    await Promise.all(
      targets.map((target, i) =>
        this.#slot(async () => {
          out[i] =
            target.staged && (await isFolder(target.path))
              ? await this.#folder(target.path)
              : { path: target.path, ...(await this.#file(target.path)) };
        }),
      ),
    );
    return out;
  }

  /** Runs `work` when fewer than PARALLEL previews are being made, whichever request they are for. */
  async #slot(work: () => Promise<void>): Promise<void> {
    if (this.#running >= PARALLEL) await new Promise<void>((go) => this.#waiting.push(go));
    else this.#running++;
    try {
      await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }

  async #folder(path: string): Promise<StagedThumbnail> {
    const found = await discoverInputs([path], { maxFiles: FOLDER_PREVIEWS });
    const previews: string[] = [];
    for (const file of found.files) {
      const { src } = await this.#file(file.path);
      if (src) previews.push(src);
    }
    return { path, src: null, previews, problem: null };
  }

  async #file(path: string): Promise<Omit<Cached, 'key'>> {
    let key: string;
    try {
      const s = await stat(path);
      if (!s.isFile()) return { src: null, problem: 'This is not a photo file.' };
      key = `${s.size}:${s.mtimeMs}`;
    } catch (error) {
      return { src: null, problem: describeFsError(error) };
    }
    const hit = this.#cache.get(path);
    if (hit && hit.key === key) {
      // Most recently used last: the oldest preview goes first.
      this.#cache.delete(path);
      this.#cache.set(path, hit);
      return { src: hit.src, problem: hit.problem };
    }
    let made: Omit<Cached, 'key'>;
    try {
      made = { src: await prepareThumbnailOnly(path, { thumbnailEdge: STAGED_THUMBNAIL_EDGE }), problem: null };
    } catch (error) {
      made = { src: null, problem: error instanceof LoupeError ? error.message : 'Loupe couldn’t read this photo.' };
    }
    this.#keep(path, { key, ...made });
    return made;
  }

  #keep(path: string, entry: Cached): void {
    this.#drop(path);
    this.#cache.set(path, entry);
    this.#chars += entry.src?.length ?? 0;
    while (this.#cache.size > this.#maxEntries || (this.#chars > this.#maxChars && this.#cache.size > 1))
      this.#drop(this.#cache.keys().next().value!);
  }

  #drop(path: string): void {
    const old = this.#cache.get(path);
    if (!old) return;
    this.#chars -= old.src?.length ?? 0;
    this.#cache.delete(path);
  }
}

/** The staged entry a requested path is, or is inside; null when it is neither (the request is refused). */
function resolveStaged(path: string, staged: readonly StagedInput[]): { path: string; staged: boolean } | null {
  if (!isAbsolute(path) || path.includes('\0')) return null;
  if (staged.some((s) => s.path === path)) return { path, staged: true };
  const wanted = resolve(path);
  // Any entry, checked or not: nothing is inside a file, so asking for "inside" one only fails to read.
  for (const entry of staged) {
    const inside = relative(resolve(entry.path), wanted);
    if (inside !== '' && inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside)) return { path: wanted, staged: false };
  }
  return null;
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
