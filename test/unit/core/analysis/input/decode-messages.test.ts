import type { Metadata } from 'sharp';
import { expect, it } from 'vitest';
import { LoupeError } from '../../../../../electron/core/kernel/errors';
import { decodeError, describeChanges } from '../../../../../electron/core/analysis/input/decode-messages';

const meta = (over: Partial<Metadata>) => ({ format: 'jpeg', ...over }) as Metadata;

it('names the changes between the person’s file and what the model saw', () => {
  expect(describeChanges(meta({}))).toEqual([]);
  expect(describeChanges(meta({ orientation: 6 }))).toEqual(['EXIF orientation applied']);
  expect(describeChanges(meta({ format: 'gif', pages: 3 }))).toEqual(['animated GIF: first frame used']);
  expect(describeChanges(meta({ format: 'tiff', pages: 2, depth: 'ushort', space: 'cmyk' }))).toEqual([
    'multi-page TIFF: first page used',
    '16-bit TIFF converted to 8-bit',
    'CMYK colours converted to RGB',
  ]);
});

it('says why a file could not be decoded in words for the person who dropped it', () => {
  const said = (message: string, format?: string) => decodeError(new Error(message), format);
  expect(said('Input image exceeds pixel limit')).toMatchObject({ code: 'image_too_many_pixels' });
  expect(said('VipsJpeg: Premature end of JPEG file', 'jpeg').message).toMatch(/incomplete or damaged/);
  expect(said('heif: Unsupported codec', 'heic').message).toMatch(/can’t decode this HEIF image/);
  expect(said('something else', 'png').message).toBe('Loupe couldn’t decode this PNG. The file may be damaged.');
  expect(said('x').message).toBe('Loupe couldn’t decode this image. The file may be damaged.');
  const own = new LoupeError('unreadable_image', 'already said');
  expect(decodeError(own, 'jpeg')).toBe(own);
});
