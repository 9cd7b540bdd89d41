/**
 * Turns what the person dropped (files and folders, in drop order) into the
 * list of files worth preparing. Nothing here decodes an image: a few bytes
 * from the start of each file are enough to set aside text files, videos and
 * formats sharp cannot read, so they are reported with a reason instead of
 * failing one by one later.
 */
import type { BigIntStats } from 'node:fs';
import { lstat, open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { JOB_MARK, jobInFolder } from '../output/output-folder';

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
/** Enough for every signature below, including HEIF brand lists, and for telling text from binary. */
const HEAD_BYTES = 256;
/** Stat and sniff this many directory entries at once: enough to hide disk latency without exhausting file handles. */
const BATCH = 32;

/** Files operating systems scatter through folders that are not dot-files. */
const OS_JUNK = new Set(['thumbs.db', 'ehthumbs.db', 'desktop.ini', 'icon\r']);

const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs']);
const AVIF_BRANDS = new Set(['avif', 'avis']);
const GENERIC_HEIF_BRANDS = new Set(['mif1', 'msf1', 'miaf']);

/**
 * Names the image format from a file's first bytes, or null when they match no
 * image format. Formats Loupe cannot decode ('bmp', 'heic' without HEVC
 * support, 'jxl', 'psd') are still named, so the reason can say so.
 */
export function sniffImageType(buf: Buffer): string | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (startsWith(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(buf, 0, 6) === 'GIF87a' || ascii(buf, 0, 6) === 'GIF89a') return 'gif';
  if (ascii(buf, 0, 4) === 'RIFF' && ascii(buf, 8, 12) === 'WEBP') return 'webp';
  if (ascii(buf, 4, 8) === 'ftyp') return heifFamily(buf);
  // Classic and BigTIFF, both byte orders.
  if (startsWith(buf, [0x49, 0x49, 0x2a, 0x00]) || startsWith(buf, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(buf, [0x49, 0x49, 0x2b, 0x00]) || startsWith(buf, [0x4d, 0x4d, 0x00, 0x2b])) return 'tiff';
  // "BM" alone is too common at the start of text; the DIB header size pins it down.
  if (ascii(buf, 0, 2) === 'BM' && buf.length >= 18 && [12, 40, 52, 56, 64, 108, 124].includes(buf.readUInt32LE(14))) return 'bmp';
  if (startsWith(buf, [0xff, 0x0a]) || startsWith(buf, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20, 0x0d, 0x0a, 0x87, 0x0a])) return 'jxl';
  if (ascii(buf, 0, 4) === '8BPS') return 'psd';
  return null;
}

/** ISO-BMFF files share one container; the brands say whether it is a still image and which codec. */
function heifFamily(buf: Buffer): string | null {
  const boxSize = buf.readUInt32BE(0);
  const end = Math.min(buf.length, boxSize >= 16 ? boxSize : buf.length);
  const brands = [ascii(buf, 8, 12)];
  for (let offset = 16; offset + 4 <= end; offset += 4) brands.push(ascii(buf, offset, offset + 4));
  if (brands.some((b) => AVIF_BRANDS.has(b))) return 'avif';
  if (brands.some((b) => HEIC_BRANDS.has(b))) return 'heic';
  if (brands.some((b) => GENERIC_HEIF_BRANDS.has(b))) return 'heif';
  return null; // MP4, MOV, 3GP and friends: video, not a photo.
}

/** Whether this build of sharp can decode HEVC-coded HEIF (the prebuilt binaries cannot, for patent reasons). */
function canDecodeHeic(): boolean {
  return sharp.format.heif?.input?.fileSuffix?.includes('.heic') ?? false;
}

export type HeadCheck = { ok: true; format: string } | { ok: false; reason: string };

/** Decides from a file's first bytes whether it is worth handing to sharp, and if not, why. */
export function checkImageHead(head: Buffer): HeadCheck {
  if (head.length === 0) return { ok: false, reason: 'The file is empty.' };
  const format = sniffImageType(head);
  switch (format) {
    case 'jpeg':
    case 'png':
    case 'gif':
    case 'webp':
    case 'avif':
    case 'heif':
    case 'tiff':
      return { ok: true, format };
    case 'heic':
      return canDecodeHeic()
        ? { ok: true, format }
        : { ok: false, reason: 'HEIC photos aren’t supported yet. Export it as JPEG first (on a Mac, Preview → File → Export).' };
    case 'bmp':
      return { ok: false, reason: 'BMP images aren’t supported. Convert it to PNG or JPEG first.' };
    case 'jxl':
      return { ok: false, reason: 'JPEG XL images aren’t supported. Convert it to JPEG or PNG first.' };
    case 'psd':
      return { ok: false, reason: 'Photoshop documents aren’t supported. Export it as JPEG or PNG first.' };
    default: {
      const kind = describeNonImage(head);
      return { ok: false, reason: kind ? `Not an image Loupe can read (${kind}).` : 'Not an image Loupe can read.' };
    }
  }
}

/** A plain-language guess at what a non-image is, so the person recognises the file. */
function describeNonImage(buf: Buffer): string | null {
  if (ascii(buf, 0, 5) === '%PDF-') return 'PDF document';
  if (startsWith(buf, [0x50, 0x4b, 0x03, 0x04])) return 'ZIP archive or Office document';
  if (ascii(buf, 4, 8) === 'ftyp' || ascii(buf, 0, 4) === 'RIFF' || startsWith(buf, [0x1a, 0x45, 0xdf, 0xa3])) return 'video or audio file';
  if (looksLikeText(buf)) return /<svg[\s>]/i.test(buf.toString('utf8')) ? 'SVG drawing' : 'text file';
  return null;
}

function looksLikeText(buf: Buffer): boolean {
  if (buf.includes(0)) return false;
  let printable = 0;
  for (const byte of buf) if (byte >= 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) printable++;
  return printable / buf.length > 0.95;
}

function startsWith(buf: Buffer, bytes: number[]): boolean {
  return buf.length >= bytes.length && bytes.every((b, i) => buf[i] === b);
}

function ascii(buf: Buffer, start: number, end: number): string {
  return buf.length >= end ? buf.toString('latin1', start, end) : '';
}

/** Reads up to `HEAD_BYTES` from the start of a file. */
export async function readHead(path: string, bytes = HEAD_BYTES): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

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
  readonly files: DiscoveredFile[] = [];
  readonly skipped: SkippedInput[] = [];
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

  async addTopLevel(path: string): Promise<void> {
    const entry = await inspect(path);
    // Dropped paths are taken as meant, even hidden ones: only folder contents are filtered.
    await this.consume(entry, []);
  }

  private async consume(entry: Inspected, ancestors: string[]): Promise<void> {
    this.signal?.throwIfAborted();
    if (this.full) return;
    switch (entry.kind) {
      case 'error':
        this.skipped.push({ path: entry.path, reason: entry.reason });
        return;
      case 'directory':
        await this.walk(entry.path, entry.id, ancestors);
        return;
      case 'file': {
        if (this.seenFiles.has(entry.id)) return;
        this.seenFiles.add(entry.id);
        if (!entry.head.ok) {
          this.skipped.push({ path: entry.path, reason: entry.head.reason });
          return;
        }
        if (this.files.length >= this.maxFiles) {
          this.full = true;
          this.skipped.push({
            path: entry.path,
            reason: `Loupe takes at most ${this.maxFiles.toLocaleString('en-US')} images at a time, so this file and any after it were left out.`,
          });
          return;
        }
        this.files.push({ path: entry.path, size: entry.size });
      }
    }
  }

  private async walk(path: string, id: string, ancestors: string[]): Promise<void> {
    if (ancestors.includes(id)) {
      this.skipped.push({ path, reason: 'Folder loop via symbolic link: this folder contains itself, so it was not opened again.' });
      return;
    }
    if (this.walkedFolders.has(id)) return;
    this.walkedFolders.add(id);

    let names: string[];
    try {
      names = await readdir(path);
    } catch (error) {
      this.skipped.push({ path, reason: describeFsError(error) });
      return;
    }
    // A Loupe job's output inside a dropped folder is Loupe's own writing, not photos: left out without a word.
    if (ancestors.length > 0 && (names.includes(JOB_MARK) || names.includes('summary.json')) && jobInFolder(path) !== undefined) return;
    names = names.filter((name) => !OS_JUNK.has(name.toLowerCase())).sort(compareNames);
    // Hidden entries are not analysed, but said: a person may not know they are there.
    for (const name of names)
      if (name.startsWith('.')) this.skipped.push({ path: join(path, name), reason: 'Hidden (the name starts with a dot), so Loupe left it out.' });
    names = names.filter((name) => !name.startsWith('.'));

    const chain = [...ancestors, id];
    for (let start = 0; start < names.length && !this.full; start += BATCH) {
      this.signal?.throwIfAborted();
      const batch = await Promise.all(names.slice(start, start + BATCH).map((name) => inspect(join(path, name))));
      for (const entry of batch) await this.consume(entry, chain);
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
 */
export async function discoverInputs(paths: string[], options: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const discovery = new Discovery(options.maxFiles ?? DEFAULT_MAX_FILES, options.signal);
  for (const path of paths) {
    if (discovery.done) break;
    await discovery.addTopLevel(path);
  }
  return { files: discovery.files, skipped: discovery.skipped };
}
