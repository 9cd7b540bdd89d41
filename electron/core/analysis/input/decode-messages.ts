/**
 * What a person reads about their photo: the changes between their file and
 * what the model saw, and why a file could not be decoded.
 */
import type { Metadata } from 'sharp';
import { LoupeError } from '../../kernel/errors';

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
export function describeChanges(meta: Metadata): string[] {
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
export function decodeError(error: unknown, format: string | undefined): LoupeError {
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
