/**
 * Everything about a photo that can be refused before sharp decodes a single
 * pixel: file size, the first bytes, and the header's pixel count.
 */
import { stat } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import { LoupeError } from '../../kernel/errors';
import { decodeError } from './decode-messages';
import { checkImageHead, describeFsError, readHead } from './discover';

const MB = 1024 * 1024;

/**
 * 'truncated' rather than the stricter default 'warning': cameras and editors
 * routinely write JPEGs with harmless defects (extraneous bytes before a
 * marker) that every viewer shows fine and libjpeg only warns about, and
 * refusing those would refuse real photos. Missing image data still fails,
 * so a half-copied file is reported instead of analysed as a grey smear.
 */
export const FAIL_ON = 'truncated' as const;

/** The limits a source is checked against (prepare.ts's options). */
export interface SourceLimits {
  maxSourceBytes: number;
  maxInputPixels: number;
  /** The file's bytes, already read; `path` then only names it. */
  source?: Buffer | undefined;
}

export interface Source {
  bytes: number;
  format: string;
  /** As displayed, after EXIF orientation. */
  width: number;
  height: number;
  meta: Metadata;
}

/** Everything that can be checked from the file system and the image header, without decoding pixels. */
export async function inspectSource(path: string, o: SourceLimits): Promise<Source> {
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
async function inspectBuffer(data: Buffer, o: SourceLimits): Promise<Source> {
  if (data.length === 0) throw new LoupeError('unreadable_image', 'The file is empty.');
  if (data.length > o.maxSourceBytes) {
    throw new LoupeError(
      'image_too_large',
      `This file is larger than ${formatBytes(o.maxSourceBytes)} (it is ${formatBytes(data.length)}), more than Loupe will open. Export a smaller copy and try that.`,
    );
  }
  return inspectHeader(data, data.subarray(0, 256), data.length, o);
}

async function inspectHeader(input: string | Buffer, head: Buffer, bytes: number, o: SourceLimits): Promise<Source> {
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

function formatBytes(bytes: number): string {
  if (bytes >= MB) return `${Math.round((bytes / MB) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

function megapixels(pixels: number): string {
  return String(Math.round((pixels / 1_000_000) * 10) / 10);
}
