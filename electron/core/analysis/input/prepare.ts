/**
 * Turns a photo on disk into what is uploaded for analysis: upright, at most
 * `maxEdge` on its long side, 8-bit sRGB, with every byte of metadata (GPS,
 * camera serials, names, XMP, ICC) left behind, plus a small thumbnail for the
 * UI. Everything that can be refused without decoding (size, pixel count,
 * obvious non-images) is refused before sharp decodes a single pixel.
 */
import { stat } from 'node:fs/promises';
import sharp, { type JpegOptions, type Metadata, type Sharp, type SharpOptions } from 'sharp';
import { LoupeError } from '../../kernel/errors';
import { checkImageHead, describeFsError, readHead } from './discover';

export interface PrepareOptions {
  /** Longest edge of the upload, in pixels. Default 2048. */
  maxEdge?: number;
  /** Larger files are refused without being opened. Default 50 MB. */
  maxSourceBytes?: number;
  /** More pixels than this (width × height, first frame) is refused as a likely decompression bomb. Default 100 million. */
  maxInputPixels?: number;
  /** JPEG quality of the upload. Default 85. */
  jpegQuality?: number;
  /** Longest edge of the UI thumbnail. Default 160. */
  thumbnailEdge?: number;
  /**
   * Whether to make the UI thumbnail as well. Default true. A running job asks
   * for one only while someone looks at its results: otherwise it would cost
   * every photo a second encode for a picture nobody sees (pages make theirs
   * on demand).
   */
  thumbnail?: boolean;
  /** The upload's box for a source of this size (as displayed); overrides `maxEdge` (see image-sizing.ts). */
  fitTo?: ((width: number, height: number) => { width: number; height: number }) | undefined;
  /** The file's bytes, already read (so hashing and preparing read it once); `path` then only names it. */
  source?: Buffer | undefined;
}

export interface PreparedImage {
  mime: 'image/jpeg' | 'image/png';
  /** The bytes to upload: re-encoded, metadata-free. */
  data: Buffer;
  /** Size of `data`, after orientation and downscaling. */
  width: number;
  height: number;
  /** Size of the source as displayed (orientation applied), before downscaling. */
  sourceWidth: number;
  sourceHeight: number;
  sourceBytes: number;
  /** sharp's name for the source format ('jpeg', 'png', 'webp', 'gif', 'tiff', 'avif', 'heif'). */
  sourceFormat: string;
  /** A small JPEG `data:` URL for the UI, at most `thumbnailEdge` on its long side; absent when not asked for. */
  thumbnail?: string;
  /** What was changed beyond downscaling, in words, e.g. 'animated GIF: first frame used'. */
  notes: string[];
}

const MB = 1024 * 1024;
type Resolved = Required<Omit<PrepareOptions, 'fitTo' | 'source'>> & Pick<PrepareOptions, 'fitTo' | 'source'>;
export const DEFAULTS = {
  maxEdge: 2048,
  maxSourceBytes: 50 * MB,
  maxInputPixels: 100_000_000,
  jpegQuality: 85,
  thumbnailEdge: 160,
  thumbnail: true,
} satisfies Resolved;

const THUMBNAIL_QUALITY = 70;
/** Transparent areas of thumbnails are shown on white: JPEG has no alpha. */
const THUMBNAIL_BACKGROUND = '#ffffff';

/**
 * 'truncated' rather than the stricter default 'warning': cameras and editors
 * routinely write JPEGs with harmless defects (extraneous bytes before a
 * marker) that every viewer shows fine and libjpeg only warns about, and
 * refusing those would refuse real photos. Missing image data still fails,
 * so a half-copied file is reported instead of analysed as a grey smear.
 */
const FAIL_ON = 'truncated' as const;

/** The input options every decode uses: one frame, streamed from disk, upright, never more pixels than allowed. */
function inputOptions(maxInputPixels: number): SharpOptions {
  return { failOn: FAIL_ON, limitInputPixels: maxInputPixels, sequentialRead: true, autoOrient: true };
}

/**
 * Prepares one image for upload. Throws LoupeError:
 * `image_too_large` (file over `maxSourceBytes`, not opened),
 * `image_too_many_pixels` (over `maxInputPixels`, refused from the header),
 * `unreadable_image` (missing, empty, not an image, unsupported, damaged or truncated).
 */
export async function prepareImage(path: string, options: PrepareOptions = {}): Promise<PreparedImage> {
  const o = { ...DEFAULTS, ...definedOnly(options) };
  const source = await inspectSource(path, o);
  const notes = describeChanges(source.meta);

  try {
    const box = o.fitTo ? o.fitTo(source.width, source.height) : { width: o.maxEdge, height: o.maxEdge };
    const pipeline = sharp(o.source ?? path, inputOptions(o.maxInputPixels)).resize({
      width: box.width,
      height: box.height,
      fit: 'inside',
      withoutEnlargement: true,
    });

    let prepared: Omit<PreparedImage, 'sourceWidth' | 'sourceHeight' | 'sourceBytes' | 'sourceFormat' | 'notes'>;
    if (source.meta.hasAlpha) {
      prepared = await encodeWithAlpha(pipeline, o, notes);
    } else {
      const { data, info } = await pipeline.jpeg(jpegOptions(o.jpegQuality)).toBuffer({ resolveWithObject: true });
      prepared = { mime: 'image/jpeg', data, width: info.width, height: info.height };
      if (o.thumbnail) prepared.thumbnail = await thumbnailFrom(sharp(data), o.thumbnailEdge);
    }

    if (prepared.width !== source.width || prepared.height !== source.height) {
      notes.push(`resized from ${source.width}×${source.height} to ${prepared.width}×${prepared.height}`);
    }
    return {
      ...prepared,
      sourceWidth: source.width,
      sourceHeight: source.height,
      sourceBytes: source.bytes,
      sourceFormat: source.format,
      notes,
    };
  } catch (error) {
    throw decodeError(error, source.format);
  }
}

/** Just the UI thumbnail, with the same refusals as `prepareImage`; cheap for JPEGs, which shrink while decoding. */
export async function prepareThumbnailOnly(path: string, options: PrepareOptions = {}): Promise<string> {
  const o = { ...DEFAULTS, ...definedOnly(options) };
  const source = await inspectSource(path, o);
  try {
    return await thumbnailFrom(sharp(path, inputOptions(o.maxInputPixels)), o.thumbnailEdge);
  } catch (error) {
    throw decodeError(error, source.format);
  }
}

function jpegOptions(quality: number): JpegOptions {
  // mozjpeg's trellis presets would triple encode time (≈300 ms for 2048 px
  // here) to save bytes on an upload that is already small; Huffman
  // optimisation alone is nearly free.
  return { quality, optimiseCoding: true, chromaSubsampling: '4:2:0' };
}

/**
 * Many PNGs, WebPs and GIFs carry an alpha channel that is opaque everywhere.
 * Those go out as JPEG like any photo; only real transparency keeps PNG,
 * because flattening it would invent a background the model then describes.
 * The check reads the already-downscaled pixels, so it costs one pass over
 * at most maxEdge² bytes.
 */
async function encodeWithAlpha(
  pipeline: Sharp,
  o: Resolved,
  notes: string[],
): Promise<Omit<PreparedImage, 'sourceWidth' | 'sourceHeight' | 'sourceBytes' | 'sourceFormat' | 'notes'>> {
  const { data: pixels, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
  const transparent = info.hasAlpha && hasTransparentPixel(pixels, info.channels);
  const thumbnail = o.thumbnail ? { thumbnail: await thumbnailFrom(sharp(pixels, raw), o.thumbnailEdge) } : {};
  if (transparent) {
    notes.push('transparency kept: sent as PNG');
    const data = await sharp(pixels, raw).png({ compressionLevel: 6 }).toBuffer();
    return { mime: 'image/png', data, width: info.width, height: info.height, ...thumbnail };
  }
  const data = await sharp(pixels, raw).removeAlpha().jpeg(jpegOptions(o.jpegQuality)).toBuffer();
  return { mime: 'image/jpeg', data, width: info.width, height: info.height, ...thumbnail };
}

/** Whether any pixel's alpha (the last channel) is below fully opaque. */
export function hasTransparentPixel(pixels: Buffer, channels: number): boolean {
  for (let i = channels - 1; i < pixels.length; i += channels) if (pixels[i]! < 255) return true;
  return false;
}

async function thumbnailFrom(image: Sharp, edge: number): Promise<string> {
  const data = await image
    .resize({ width: edge, height: edge, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: THUMBNAIL_BACKGROUND })
    .jpeg({ quality: THUMBNAIL_QUALITY })
    .toBuffer();
  return `data:image/jpeg;base64,${data.toString('base64')}`;
}

interface Source {
  bytes: number;
  format: string;
  /** As displayed, after EXIF orientation. */
  width: number;
  height: number;
  meta: Metadata;
}

/** Everything that can be checked from the file system and the image header, without decoding pixels. */
async function inspectSource(path: string, o: Resolved): Promise<Source> {
  let bytes: number;
  try {
    if (o.source) return await inspectBuffer(o.source, o);
    const info = await stat(path);
    if (info.isDirectory()) throw new LoupeError('unreadable_image', 'This is a folder, not an image file.');
    if (!info.isFile()) throw new LoupeError('unreadable_image', 'This is not a regular file, so Loupe won’t read it.');
    bytes = info.size;
  } catch (error) {
    if (error instanceof LoupeError) throw error;
    throw new LoupeError('unreadable_image', `Loupe couldn’t open this file. ${describeFsError(error)}`, { cause: error });
  }
  if (bytes === 0) throw new LoupeError('unreadable_image', 'The file is empty.');
  if (bytes > o.maxSourceBytes) {
    throw new LoupeError(
      'image_too_large',
      `This file is larger than ${formatBytes(o.maxSourceBytes)} (it is ${formatBytes(bytes)}), more than Loupe will open. Export a smaller copy and try that.`,
    );
  }

  let head: Buffer;
  try {
    head = await readHead(path);
  } catch (error) {
    throw new LoupeError('unreadable_image', `Loupe couldn’t open this file. ${describeFsError(error)}`, { cause: error });
  }
  return inspectHeader(path, head, bytes, o);
}

/** `inspectSource` for bytes already in memory. */
async function inspectBuffer(data: Buffer, o: Resolved): Promise<Source> {
  if (data.length === 0) throw new LoupeError('unreadable_image', 'The file is empty.');
  if (data.length > o.maxSourceBytes) {
    throw new LoupeError(
      'image_too_large',
      `This file is larger than ${formatBytes(o.maxSourceBytes)} (it is ${formatBytes(data.length)}), more than Loupe will open. Export a smaller copy and try that.`,
    );
  }
  return inspectHeader(data, data.subarray(0, 256), data.length, o);
}

async function inspectHeader(input: string | Buffer, head: Buffer, bytes: number, o: Resolved): Promise<Source> {
  const check = checkImageHead(head);
  if (!check.ok) throw new LoupeError('unreadable_image', check.reason);

  let meta: Metadata;
  try {
    // Header only. The pixel limit is lifted here so the count can be
    // reported in words below; decoding always applies it.
    meta = await sharp(input, { limitInputPixels: false, failOn: FAIL_ON }).metadata();
  } catch (error) {
    throw decodeError(error, check.format);
  }
  const pixels = (meta.width ?? 0) * (meta.pageHeight ?? meta.height ?? 0);
  if (!meta.width || !meta.height) throw new LoupeError('unreadable_image', 'Loupe couldn’t read this image’s size. The file may be damaged.');
  if (pixels > o.maxInputPixels) {
    throw new LoupeError(
      'image_too_many_pixels',
      `This image is ${meta.width.toLocaleString('en-US')} × ${(meta.pageHeight ?? meta.height).toLocaleString('en-US')} pixels ` +
        `(${megapixels(pixels)} megapixels), more than the ${megapixels(o.maxInputPixels)} megapixels Loupe will open. Export a smaller copy and try that.`,
    );
  }
  return {
    bytes,
    format: meta.format === 'heif' && meta.compression === 'av1' ? 'avif' : meta.format,
    width: meta.autoOrient?.width ?? meta.width,
    height: meta.autoOrient?.height ?? meta.pageHeight ?? meta.height,
    meta,
  };
}

const FORMAT_NAMES: Record<string, string> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  gif: 'GIF',
  tiff: 'TIFF',
  heif: 'HEIF',
  heic: 'HEIC',
  avif: 'AVIF',
};
const BITS: Record<string, number> = { ushort: 16, short: 16, uint: 32, int: 32, float: 32, double: 64 };

/** The changes a person might notice between their file and what the model saw. */
function describeChanges(meta: Metadata): string[] {
  const notes: string[] = [];
  const name = FORMAT_NAMES[meta.format] ?? meta.format.toUpperCase();
  if (meta.orientation && meta.orientation !== 1) notes.push('EXIF orientation applied');
  if ((meta.pages ?? 1) > 1) {
    notes.push(meta.format === 'gif' || meta.format === 'webp' ? `animated ${name}: first frame used` : `multi-page ${name}: first page used`);
  }
  const bits = BITS[meta.depth ?? 'uchar'];
  if (bits) notes.push(`${bits}-bit ${name} converted to 8-bit`);
  if (meta.space === 'cmyk') notes.push('CMYK colours converted to RGB');
  return notes;
}

/** sharp's messages are written for developers; these are for the person who dropped the file. */
function decodeError(error: unknown, format: string | undefined): LoupeError {
  if (error instanceof LoupeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/exceeds pixel limit/i.test(message)) {
    return new LoupeError('image_too_many_pixels', 'This image has more pixels than Loupe will open. Export a smaller copy and try that.', {
      cause: error,
    });
  }
  if (/premature end|truncat|unexpected end|end of (file|stream|data)|not enough data|read error|short read/i.test(message)) {
    return new LoupeError(
      'unreadable_image',
      'The image data is incomplete or damaged: the file may be cut short, or still being downloaded or copied. Try again once it is complete.',
      { cause: error },
    );
  }
  if (format !== 'avif' && (/heif|hevc|codec|plugin/i.test(message) || format === 'heif' || format === 'heic')) {
    return new LoupeError('unreadable_image', 'Loupe can’t decode this HEIF image. Export it as JPEG first and try that.', { cause: error });
  }
  // The first bytes already said which format this is, so "unsupported" here means the rest of it is damaged.
  const name = format ? (FORMAT_NAMES[format] ?? format.toUpperCase()) : 'image';
  return new LoupeError('unreadable_image', `Loupe couldn’t decode this ${name}. The file may be damaged.`, { cause: error });
}

function formatBytes(bytes: number): string {
  if (bytes >= MB) return `${Math.round((bytes / MB) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

function megapixels(pixels: number): string {
  return String(Math.round((pixels / 1_000_000) * 10) / 10);
}

/** `{ maxEdge: undefined }` means "use the default", not "no limit". */
function definedOnly(options: PrepareOptions): PrepareOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
