/**
 * Turns what the person dropped (files and folders, in drop order) into the
 * list of files worth preparing. Nothing here decodes an image: a few bytes
 * from the start of each file are enough to set aside text files, videos and
 * formats sharp cannot read, so they are reported with a reason instead of
 * failing one by one later.
 */
import type { BigIntStats } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { JOB_MARK, SUMMARY_FILE } from '../records/output-files';
import { jobInFolder } from './job-folders';
import { type HeadCheck, checkImageHead, readHead } from './sniff';

export { checkImageHead, readHead, sniffImageType, type HeadCheck } from './sniff';

export interface DiscoveredFile {
  path: string;
  size: number;
}

/** `reason` is a sentence for a person, shown as-is. */
export interface SkippedInput {
  path: string;
  reason: string;
}

export interface DiscoveryResult {
  files: DiscoveredFile[];
  skipped: SkippedInput[];
}

export interface DiscoverOptions {
  maxFiles?: number;
  signal?: AbortSignal;
}

const DEFAULT_MAX_FILES = 100_000;
/** Stat and sniff this many directory entries at once: enough to hide disk latency without exhausting file handles. */
const BATCH = 32;

/** Files operating systems scatter through folders that are not dot-files. */
const OS_JUNK = new Set(['thumbs.db', 'ehthumbs.db', 'desktop.ini', 'icon\r']);

/** Turns a filesystem error into a sentence; the code is kept for the ones people rarely see. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'Permission denied.';
    case 'ENOENT':
      return 'Not found. It may have been moved or deleted.';
    case 'ELOOP':
      return 'Too many levels of symbolic links.';
    case 'ENAMETOOLONG':
      return 'The path is too long.';
    case 'EISDIR':
      return 'This is a folder, not a file.';
    default:
      return code ? `Couldn’t be read (${code}).` : 'Couldn’t be read.';
  }
}

/** Identity of a file or folder regardless of the path (or symbolic link) it was reached by. */
function identity(s: BigIntStats): string {
  return `${s.dev}:${s.ino}`;
}

class Discovery {
  /** Found since the last `drain`: the stream hands them on a folder batch at a time. */
  #files: DiscoveredFile[] = [];
  #skipped: SkippedInput[] = [];
  #count = 0;
  /** Folders already walked, so a folder reached twice (dropped twice, or via a link) is not listed twice. */
  private readonly walkedFolders = new Set<string>();
  private readonly seenFiles = new Set<string>();
  private full = false;

  constructor(
    private readonly maxFiles: number,
    private readonly signal: AbortSignal | undefined,
  ) {}

  get done(): boolean {
    return this.full;
  }

  /** What was found since the last call. */
  drain(): DiscoveryResult {
    const found = { files: this.#files, skipped: this.#skipped };
    this.#files = [];
    this.#skipped = [];
    return found;
  }

  /** Yields after each batch of folder entries, so what was found can be taken before the walk goes on. */
  async *addTopLevel(path: string): AsyncGenerator<void> {
    const entry = await inspect(path);
    // Dropped paths are taken as meant, even hidden ones: only folder contents are filtered.
    yield* this.consume(entry, []);
  }

  private async *consume(entry: Inspected, ancestors: string[]): AsyncGenerator<void> {
    this.signal?.throwIfAborted();
    if (this.full) return;
    switch (entry.kind) {
      case 'error':
        this.#skipped.push({ path: entry.path, reason: entry.reason });
        return;
      case 'directory':
        yield* this.walk(entry.path, entry.id, ancestors);
        return;
      case 'file': {
        if (this.seenFiles.has(entry.id)) return;
        this.seenFiles.add(entry.id);
        if (!entry.head.ok) {
          this.#skipped.push({ path: entry.path, reason: entry.head.reason });
          return;
        }
        if (this.#count >= this.maxFiles) {
          this.full = true;
          this.#skipped.push({
            path: entry.path,
            reason: `Loupe takes at most ${this.maxFiles.toLocaleString('en-US')} images at a time, so this file and any after it were left out.`,
          });
          return;
        }
        this.#count++;
        this.#files.push({ path: entry.path, size: entry.size });
      }
    }
  }

  private async *walk(path: string, id: string, ancestors: string[]): AsyncGenerator<void> {
    if (ancestors.includes(id)) {
      this.#skipped.push({ path, reason: 'Folder loop via symbolic link: this folder contains itself, so it was not opened again.' });
      return;
    }
    if (this.walkedFolders.has(id)) return;
    this.walkedFolders.add(id);

    let names: string[];
    try {
      names = await readdir(path);
    } catch (error) {
      this.#skipped.push({ path, reason: describeFsError(error) });
      return;
    }
    // A Loupe job's output inside a dropped folder is Loupe's own writing, not photos: left out without a word.
    if (ancestors.length > 0 && (names.includes(JOB_MARK) || names.includes(SUMMARY_FILE)) && (await jobInFolder(path)) !== undefined) return;
    names = names.filter((name) => !OS_JUNK.has(name.toLowerCase())).sort(compareNames);
    // Hidden entries are not analysed, but said: a person may not know they are there.
    for (const name of names)
      if (name.startsWith('.')) this.#skipped.push({ path: join(path, name), reason: 'Hidden (the name starts with a dot), so Loupe left it out.' });
    names = names.filter((name) => !name.startsWith('.'));

    const chain = [...ancestors, id];
    for (let start = 0; start < names.length && !this.full; start += BATCH) {
      this.signal?.throwIfAborted();
      const batch = await Promise.all(names.slice(start, start + BATCH).map((name) => inspect(join(path, name))));
      for (const entry of batch) yield* this.consume(entry, chain);
      yield;
    }
  }
}

type Inspected =
  | { kind: 'error'; path: string; reason: string }
  | { kind: 'directory'; path: string; id: string }
  | { kind: 'file'; path: string; id: string; size: number; head: HeadCheck };

/** Follows symbolic links (a link to a photo is a photo) and sniffs regular files. */
async function inspect(path: string): Promise<Inspected> {
  let info: BigIntStats;
  try {
    info = await stat(path, { bigint: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && (await isDanglingLink(path))) {
      return { kind: 'error', path, reason: 'Broken symbolic link: what it points to no longer exists.' };
    }
    return { kind: 'error', path, reason: describeFsError(error) };
  }
  if (info.isDirectory()) return { kind: 'directory', path, id: identity(info) };
  // Opening a pipe or device to sniff it could block forever.
  if (!info.isFile()) return { kind: 'error', path, reason: 'Not a regular file (a device, pipe or socket).' };
  const size = Number(info.size);
  if (size === 0) return { kind: 'file', path, id: identity(info), size, head: { ok: false, reason: 'The file is empty.' } };
  try {
    return { kind: 'file', path, id: identity(info), size, head: checkImageHead(await readHead(path)) };
  } catch (error) {
    return { kind: 'error', path, reason: describeFsError(error) };
  }
}

async function isDanglingLink(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSymbolicLink();
  } catch {
    return false;
  }
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

/** Natural order (IMG_2 before IMG_10), with a byte-wise tie-break so the order never depends on locale data. */
function compareNames(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Expands dropped paths: files as they are, folders recursively in a stable
 * natural-sort order. Symbolic links are followed; a link back into one of its
 * own parent folders is reported once as a loop, and a folder or file reached
 * twice is listed once. Hidden entries (names starting with a dot) inside
 * folders are listed as skipped; OS clutter like Thumbs.db is ignored, and so
 * is a folder holding a Loupe job's output. Unreadable entries are reported in `skipped`, never
 * thrown; only an abort through `signal` throws. After `maxFiles` images the
 * walk stops and one skipped entry says so.
 *
 * Streamed: what was found is yielded a folder batch at a time (in the same
 * order as the whole list), so a caller takes it in as the walk goes on
 * instead of waiting for a list of every file.
 */
export async function* discoverStream(paths: string[], options: DiscoverOptions = {}): AsyncGenerator<DiscoveryResult> {
  const discovery = new Discovery(options.maxFiles ?? DEFAULT_MAX_FILES, options.signal);
  for (const path of paths) {
    if (discovery.done) break;
    for await (const _ of discovery.addTopLevel(path)) {
      const found = discovery.drain();
      if (found.files.length > 0 || found.skipped.length > 0) yield found;
    }
    const found = discovery.drain();
    if (found.files.length > 0 || found.skipped.length > 0) yield found;
  }
}

/** The whole list at once (discoverStream, collected): for callers that need every entry anyway. */
export async function discoverInputs(paths: string[], options: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const all: DiscoveryResult = { files: [], skipped: [] };
  for await (const found of discoverStream(paths, options)) {
    for (const file of found.files) all.files.push(file);
    for (const entry of found.skipped) all.skipped.push(entry);
  }
  return all;
}
