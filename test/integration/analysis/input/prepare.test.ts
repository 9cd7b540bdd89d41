/**
 * electron/core/analysis/input/prepare.ts with real sharp: the good corpus
 * becomes upright, metadata-free JPEGs; everything it refuses, it refuses with
 * a reason a person understands.
 */
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { prepareImage, prepareThumbnailOnly } from '../../../../electron/core/analysis/input/prepare';
import { dataUrlSize, fx, loupeError, useTempDir } from './support';

let dir: string;
useTempDir((path) => (dir = path));

describe('prepareImage: the good corpus', () => {
  it.each(['01-sunset.jpg', '02-meadow.webp', '03-portrait.jpg', '04-shapes.png', '05-harbour.webp'])(
    '%s becomes an upright, metadata-free JPEG at its own size',
    async (name) => {
      const source = await sharp(fx(`good/${name}`)).metadata();
      const prepared = await prepareImage(fx(`good/${name}`));
      expect(prepared.mime).toBe('image/jpeg');
      expect([prepared.width, prepared.height]).toEqual([source.width, source.height]);
      expect([prepared.sourceWidth, prepared.sourceHeight]).toEqual([source.width, source.height]);
      expect(prepared.sourceFormat).toBe(source.format);
      expect(prepared.sourceBytes).toBe((await readFile(fx(`good/${name}`))).length);
      expect(prepared.notes).toEqual([]);
      const out = await sharp(prepared.data).metadata();
      expect(out).toMatchObject({ format: 'jpeg', width: prepared.width, height: prepared.height, depth: 'uchar' });
      const thumb = await dataUrlSize(prepared.thumbnail!);
      expect(Math.max(thumb.width, thumb.height)).toBe(160);
    },
  );
});

describe('prepareImage: refusals', () => {
  it.each([
    ['bad/empty.jpg', 'unreadable_image', /^The file is empty\.$/],
    ['bad/truncated.jpg', 'unreadable_image', /incomplete or damaged/],
    ['bad/text-renamed.jpg', 'unreadable_image', /^Not an image Loupe can read \(text file\)\.$/],
    ['bad/not-an-image.txt', 'unreadable_image', /^Not an image Loupe can read \(text file\)\.$/],
    ['bad/huge-20000x20000.png', 'image_too_many_pixels', /20,000 × 20,000 pixels \(400 megapixels\), more than the 100 megapixels/],
    ['bad/does-not-exist.jpg', 'unreadable_image', /couldn’t open this file\. Not found/],
    ['good', 'unreadable_image', /folder, not an image/],
  ])('%s → %s', async (rel, code, message) => {
    const error = await loupeError(prepareImage(fx(rel)));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message).not.toMatch(/vips|sharp|libpng|Input file/i);
  });

  it('refuses the 400-megapixel PNG from its header, with the real dimensions (decoding would take seconds and gigabytes)', async () => {
    const error = await loupeError(prepareImage(fx('bad/huge-20000x20000.png')));
    // The dimensions come from the header check; sharp's own pixel-limit error knows none.
    expect(error.message).toContain('20,000 × 20,000');
    expect((await loupeError(prepareThumbnailOnly(fx('bad/huge-20000x20000.png')))).code).toBe('image_too_many_pixels');
  });

  it('honours a smaller maxInputPixels', async () => {
    const error = await loupeError(prepareImage(fx('good/01-sunset.jpg'), { maxInputPixels: 1_000_000 }));
    expect(error.code).toBe('image_too_many_pixels');
    expect(error.message).toMatch(/1,600 × 1,067 pixels \(1.7 megapixels\), more than the 1 megapixels/);
  });

  it('refuses a source over 50 MB without opening it', async () => {
    // Sparse: 51 MB on paper, no blocks on disk, and zeros that are no image at all,
    // so only the size check can be what refuses it.
    const path = join(dir, 'big.jpg');
    const handle = await open(path, 'w');
    await handle.truncate(51 * 1024 * 1024);
    await handle.close();
    const error = await loupeError(prepareImage(path));
    expect(error.code).toBe('image_too_large');
    expect(error.message).toMatch(/^This file is larger than 50 MB \(it is 51 MB\)/);
  });

  it('honours a smaller maxSourceBytes', async () => {
    const error = await loupeError(prepareImage(fx('good/04-shapes.png'), { maxSourceBytes: 1000 }));
    expect(error.code).toBe('image_too_large');
    expect(error.message).toMatch(/larger than 1000 bytes/);
  });

  it('refuses other cut-short formats too, naming the format when it is known', async () => {
    for (const [rel, message] of [
      ['good/04-shapes.png', /incomplete or damaged/],
      ['good/02-meadow.webp', /couldn’t decode this WebP\. The file may be damaged/],
      ['edge/16bit.tiff', /couldn’t decode this TIFF\. The file may be damaged/],
    ] as const) {
      const bytes = await readFile(fx(rel));
      const path = join(dir, `cut-${rel.split('/')[1]}`);
      await writeFile(path, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      const error = await loupeError(prepareImage(path));
      expect(error.code, rel).toBe('unreadable_image');
      expect(error.message, rel).toMatch(message);
    }
  });

  it('accepts a JPEG with a harmless libjpeg warning (why failOn is "truncated", not the default "warning")', async () => {
    const jpeg = await readFile(fx('good/03-portrait.jpg'));
    const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
    const path = join(dir, 'extraneous.jpg');
    // "Corrupt JPEG data: 3 extraneous bytes before marker 0xda": every viewer shows this photo.
    await writeFile(path, Buffer.concat([jpeg.subarray(0, sos), Buffer.from([1, 2, 3]), jpeg.subarray(sos)]));
    await expect(sharp(path, { failOn: 'warning' }).toBuffer()).rejects.toThrow(/extraneous bytes/);
    const prepared = await prepareImage(path);
    expect([prepared.width, prepared.height]).toEqual([900, 1200]);
  });
});
