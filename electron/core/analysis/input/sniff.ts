/**
 * What a file is, from its first bytes: the image format, or why it is not
 * one Loupe can read (a sentence for a person). Nothing here decodes an
 * image.
 */
import { open } from 'node:fs/promises';
import sharp from 'sharp';

/** Enough for every signature below, including HEIF brand lists, and for telling text from binary. */
const HEAD_BYTES = 256;

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
