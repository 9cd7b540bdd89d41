/**
 * The input side of analysis against real files and real sharp: discovery of
 * dropped paths, content hashing, and preparing each image for upload. The
 * fixtures are described in test/fixtures/README.md; symbolic links, hidden
 * files and unreadable files are made in a temp folder per test, because git
 * does not carry them reliably.
 */
import { createHash } from 'node:crypto';
import { chmod, copyFile, cp, mkdir, mkdtemp, open, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkImageHead, discoverInputs, sniffImageType } from '../../../electron/core/analysis/input/discover';
import { hashFile } from '../../../electron/core/analysis/input/hash';
import { hasTransparentPixel, prepareImage, prepareThumbnailOnly } from '../../../electron/core/analysis/input/prepare';
import { LoupeError } from '../../../electron/core/kernel/errors';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const fx = (rel: string) => join(fixtures, rel);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-input-'));
});
afterEach(async () => {
  // Undo chmod 000 so the temp folder can be removed.
  await chmod(dir, 0o700).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

/** The error a promise rejects with, asserted to be a LoupeError. */
async function loupeError(promise: Promise<unknown>): Promise<LoupeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LoupeError);
  return error as LoupeError;
}

/** RGB(A) of one pixel of an encoded image. */
async function pixelAt(data: Buffer, x: number, y: number): Promise<number[]> {
  const { data: raw, info } = await sharp(data).raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [...raw.subarray(i, i + info.channels)];
}

function expectColour(actual: number[], expected: number[], tolerance = 40): void {
  expected.forEach((value, channel) =>
    expect(Math.abs(actual[channel]! - value), `channel ${channel} of ${actual.join(',')} vs ${expected.join(',')}`).toBeLessThanOrEqual(tolerance),
  );
}

async function dataUrlSize(url: string): Promise<{ width: number; height: number; format: string }> {
  expect(url).toMatch(/^data:image\/jpeg;base64,/);
  const meta = await sharp(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64')).metadata();
  return { width: meta.width, height: meta.height, format: meta.format };
}

/**
 * Tag numbers in the GPS directory of an EXIF block (empty when there is
 * none), read by hand so the test does not trust the library under test.
 */
function gpsTags(exif: Buffer): number[] {
  const tiff = exif.subarray(exif.indexOf('Exif\0\0', 0, 'latin1') + 6);
  const le = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const tagsAt = (ifd: number) => Array.from({ length: u16(ifd) }, (_, i) => ({ tag: u16(ifd + 2 + i * 12), value: u32(ifd + 2 + i * 12 + 8) }));
  const gpsPointer = tagsAt(u32(4)).find((entry) => entry.tag === 0x8825);
  return gpsPointer ? tagsAt(gpsPointer.value).map((entry) => entry.tag) : [];
}

describe('sniffImageType', () => {
  const ftyp = (major: string, ...compatible: string[]) =>
    Buffer.concat([Buffer.from([0, 0, 0, 16 + 4 * compatible.length]), Buffer.from(`ftyp${major}\0\0\0\0${compatible.join('')}`, 'latin1')]);
  const bmp = Buffer.alloc(54);
  bmp.write('BM', 0, 'latin1');
  bmp.writeUInt32LE(40, 14);

  it.each([
    ['jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10])],
    ['png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])],
    ['gif', Buffer.from('GIF89a\x01\x00', 'latin1')],
    ['webp', Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1')],
    ['avif', ftyp('avif', 'mif1', 'miaf')],
    ['avif', ftyp('mif1', 'avif')],
    ['heic', ftyp('heic', 'mif1', 'heic')],
    ['heif', ftyp('mif1', 'mif1')],
    ['tiff', Buffer.from([0x49, 0x49, 0x2a, 0, 8, 0, 0, 0])],
    ['tiff', Buffer.from([0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8])],
    ['bmp', bmp],
  ])('recognises %s', (type, head) => {
    expect(sniffImageType(head)).toBe(type);
  });

  it.each([
    ['text', Buffer.from('BMW service notes: oil changed.')],
    ['an MP4 video', ftyp('isom', 'iso2', 'mp41')],
    ['a PDF', Buffer.from('%PDF-1.7\n')],
    ['nothing', Buffer.alloc(0)],
  ])('returns null for %s', (_name, head) => {
    expect(sniffImageType(head)).toBeNull();
  });

  it('gives a reason a person understands for what it refuses', () => {
    expect(checkImageHead(Buffer.from('hello\n'))).toEqual({ ok: false, reason: 'Not an image Loupe can read (text file).' });
    expect(checkImageHead(Buffer.from('%PDF-1.7\n'))).toEqual({ ok: false, reason: 'Not an image Loupe can read (PDF document).' });
    expect(checkImageHead(bmp)).toMatchObject({ ok: false, reason: expect.stringMatching(/BMP images aren’t supported/) });
    expect(checkImageHead(Buffer.alloc(0))).toEqual({ ok: false, reason: 'The file is empty.' });
    // The prebuilt sharp has no HEVC decoder, so HEIC is refused up front with a way out.
    if (!sharp.format.heif.input.fileSuffix?.includes('.heic')) {
      expect(checkImageHead(ftyp('heic', 'mif1', 'heic'))).toMatchObject({ ok: false, reason: expect.stringMatching(/HEIC .*Export it as JPEG/) });
    }
    expect(checkImageHead(ftyp('avif', 'mif1'))).toEqual({ ok: true, format: 'avif' });
  });
});

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
      const thumb = await dataUrlSize(prepared.thumbnail);
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

describe('prepareImage: edge cases', () => {
  it('applies EXIF orientation 6 (verified by pixel, not just by size)', async () => {
    const prepared = await prepareImage(fx('edge/exif-rotated.jpg'));
    expect([prepared.sourceWidth, prepared.sourceHeight]).toEqual([200, 300]);
    expect([prepared.width, prepared.height]).toEqual([200, 300]);
    expect(prepared.notes).toContain('EXIF orientation applied');
    // Stored left half red → top; right half blue → bottom; the yellow
    // top-left corner turns clockwise to the top-right.
    expectColour(await pixelAt(prepared.data, 100, 75), [255, 0, 0]);
    expectColour(await pixelAt(prepared.data, 100, 225), [0, 0, 255]);
    expectColour(await pixelAt(prepared.data, 180, 20), [255, 255, 0]);
    expectColour(await pixelAt(prepared.data, 20, 20), [255, 0, 0]);
    // No orientation tag is left for a viewer to apply a second time.
    expect((await sharp(prepared.data).metadata()).orientation).toBeUndefined();
  });

  it('strips GPS, serial numbers, names, XMP and ICC', async () => {
    const source = await sharp(fx('edge/with-gps.jpg')).metadata();
    // The fixture really carries what must not leave the machine…
    expect(source.exif?.includes('SERIAL-4815162342')).toBe(true);
    expect(source.exif?.includes('Jane Fixture')).toBe(true);
    expect(gpsTags(source.exif!)).toEqual(expect.arrayContaining([1, 2, 3, 4])); // GPSLatitudeRef, GPSLatitude, GPSLongitudeRef, GPSLongitude
    expect(source.xmp?.includes('GPSLatitude')).toBe(true);

    for (const rel of ['edge/with-gps.jpg', 'edge/exif-rotated.jpg']) {
      const prepared = await prepareImage(fx(rel));
      // …and sharp finds no metadata at all in the output…
      const out = await sharp(prepared.data).metadata();
      expect(out.exif, rel).toBeUndefined();
      expect(out.xmp, rel).toBeUndefined();
      expect(out.iptc, rel).toBeUndefined();
      expect(out.icc, rel).toBeUndefined();
      // …nor does a byte search, in case a segment hides from sharp.
      for (const needle of ['SERIAL-4815162342', 'Jane Fixture', 'LoupeTestCam', 'Exif\0\0', 'http://ns.adobe.com/', 'ICC_PROFILE']) {
        expect(prepared.data.includes(needle, 0, 'latin1'), `${rel} contains ${JSON.stringify(needle)}`).toBe(false);
      }
    }
  });

  it('keeps PNG only for real transparency', async () => {
    const prepared = await prepareImage(fx('edge/alpha.png'));
    expect(prepared.mime).toBe('image/png');
    expect(prepared.notes).toContain('transparency kept: sent as PNG');
    const out = await sharp(prepared.data).metadata();
    expect(out).toMatchObject({ format: 'png', hasAlpha: true, width: 200, height: 200 });
    expect((await pixelAt(prepared.data, 5, 5))[3]).toBe(0);
    expect(await pixelAt(prepared.data, 100, 100)).toEqual([255, 0, 0, 255]);
    // The thumbnail is a JPEG, so transparency shows as white.
    const thumb = Buffer.from(prepared.thumbnail.split(',')[1]!, 'base64');
    expectColour(await pixelAt(thumb, 3, 3), [255, 255, 255]);

    // An alpha channel that is opaque everywhere is no reason for PNG.
    const opaque = join(dir, 'opaque-alpha.png');
    await sharp({ create: { width: 64, height: 48, channels: 4, background: { r: 10, g: 200, b: 10, alpha: 1 } } })
      .png()
      .toFile(opaque);
    expect((await sharp(opaque).metadata()).hasAlpha).toBe(true);
    const flattened = await prepareImage(opaque);
    expect(flattened.mime).toBe('image/jpeg');
    expect(flattened.notes).toEqual([]);
    expectColour(await pixelAt(flattened.data, 30, 20), [10, 200, 10]);
  });

  it('detects transparency in any pixel, not just the first', () => {
    const pixels = Buffer.alloc(4 * 1000, 255);
    expect(hasTransparentPixel(pixels, 4)).toBe(false);
    pixels[4 * 999 + 3] = 254;
    expect(hasTransparentPixel(pixels, 4)).toBe(true);
    expect(hasTransparentPixel(Buffer.from([9, 255, 9, 255, 9, 128]), 2)).toBe(true);
  });

  it('uses the first frame of an animated GIF', async () => {
    expect((await sharp(fx('edge/animated.gif')).metadata()).pages).toBe(3);
    const prepared = await prepareImage(fx('edge/animated.gif'));
    expect(prepared).toMatchObject({ mime: 'image/jpeg', width: 120, height: 80, sourceFormat: 'gif' });
    expect(prepared.notes).toContain('animated GIF: first frame used');
    expectColour(await pixelAt(prepared.data, 60, 40), [255, 0, 0]);
  });

  it('converts a 16-bit TIFF to 8-bit without shifting colours', async () => {
    expect((await sharp(fx('edge/16bit.tiff')).metadata()).depth).toBe('ushort');
    const prepared = await prepareImage(fx('edge/16bit.tiff'));
    expect(prepared).toMatchObject({ mime: 'image/jpeg', width: 300, height: 200, sourceFormat: 'tiff' });
    expect(prepared.notes).toContain('16-bit TIFF converted to 8-bit');
    expect((await sharp(prepared.data).metadata()).depth).toBe('uchar');
    expectColour(await pixelAt(prepared.data, 50, 100), [255, 0, 0], 20);
    expectColour(await pixelAt(prepared.data, 250, 100), [128, 128, 128], 20);
  });

  it('downscales to fit maxEdge and never upscales', async () => {
    const make = async (name: string, width: number, height: number) => {
      const path = join(dir, name);
      await sharp({ create: { width, height, channels: 3, background: '#336699' } })
        .jpeg()
        .toFile(path);
      return path;
    };
    const landscape = await prepareImage(await make('landscape.jpg', 4000, 3000));
    expect([landscape.width, landscape.height, landscape.sourceWidth, landscape.sourceHeight]).toEqual([2048, 1536, 4000, 3000]);
    expect(landscape.notes).toContain('resized from 4000×3000 to 2048×1536');
    expect((await sharp(landscape.data).metadata()).width).toBe(2048);

    const portrait = await prepareImage(await make('portrait.jpg', 3000, 4000));
    expect([portrait.width, portrait.height]).toEqual([1536, 2048]);

    const small = await prepareImage(await make('small.jpg', 300, 200));
    expect([small.width, small.height]).toEqual([300, 200]);
    expect(small.notes).toEqual([]);
    const thumb = await dataUrlSize(small.thumbnail);
    expect([thumb.width, thumb.height]).toEqual([160, 107]);

    const custom = await prepareImage(fx('good/01-sunset.jpg'), { maxEdge: 512, thumbnailEdge: 64 });
    expect([custom.width, custom.height]).toEqual([512, 341]);
    const customThumb = await dataUrlSize(custom.thumbnail);
    expect(Math.max(customThumb.width, customThumb.height)).toBe(64);
  });

  it('makes a thumbnail on its own, with the same refusals', async () => {
    const thumb = await dataUrlSize(await prepareThumbnailOnly(fx('edge/exif-rotated.jpg')));
    expect([thumb.width, thumb.height]).toEqual([107, 160]);
    expect((await loupeError(prepareThumbnailOnly(fx('bad/truncated.jpg')))).code).toBe('unreadable_image');
    expect((await loupeError(prepareThumbnailOnly(fx('bad/empty.jpg')))).message).toBe('The file is empty.');
  });
});

describe('discoverInputs', () => {
  /** A copy of fixtures/folder plus what git cannot carry: a symlink loop and hidden files. */
  async function droppedFolder(): Promise<string> {
    const root = join(dir, 'folder');
    await cp(fx('folder'), root, { recursive: true });
    await symlink('..', join(root, 'sub', 'loop'));
    await writeFile(join(root, '.DS_Store'), Buffer.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]));
    await copyFile(fx('good/04-shapes.png'), join(root, '.hidden-photo.png'));
    await writeFile(join(root, 'sub', 'Thumbs.db'), Buffer.alloc(16));
    return root;
  }

  if (process.platform === 'win32')
    console.info(
      'analysis-input: skipping the symlink and permission discovery tests: Windows needs admin rights for symbolic links and has no POSIX modes.',
    );
  it.skipIf(process.platform === 'win32')(
    'recurses, skips the text file with a reason, reports the loop once, lists hidden files as skipped',
    async () => {
      const root = await droppedFolder();
      const result = await discoverInputs([root]);
      expect(result.files).toEqual([
        { path: join(root, 'a-first.jpg'), size: (await readFile(join(root, 'a-first.jpg'))).length },
        { path: join(root, 'sub', 'b-second.png'), size: (await readFile(join(root, 'sub', 'b-second.png'))).length },
      ]);
      // Hidden entries are never analysed, and never dropped without a word (discover-hidden.test.ts has the rest).
      const hidden = expect.stringMatching(/^Hidden \(the name starts with a dot\)/);
      expect(result.skipped).toEqual(
        expect.arrayContaining([
          { path: join(root, '.DS_Store'), reason: hidden },
          { path: join(root, '.hidden-photo.png'), reason: hidden },
          { path: join(root, 'notes.txt'), reason: 'Not an image Loupe can read (text file).' },
          { path: join(root, 'sub', 'loop'), reason: expect.stringMatching(/^Folder loop via symbolic link/) },
        ]),
      );
      expect(result.skipped).toHaveLength(4);
      expect(JSON.stringify(result)).not.toMatch(/Thumbs/);
    },
  );

  it('orders naturally and stably, folders in place among files', async () => {
    const png = await readFile(fx('folder/sub/b-second.png'));
    for (const name of ['img10.png', 'img2.png', 'img1.png', 'B.png', 'a.png', 'n.png', 'l.png', join('m', 'x.png'), join('m', 'a.png')]) {
      await mkdir(join(dir, 'drop', name, '..'), { recursive: true });
      await writeFile(join(dir, 'drop', name), png);
    }
    const expected = ['a.png', 'B.png', 'img1.png', 'img2.png', 'img10.png', 'l.png', join('m', 'a.png'), join('m', 'x.png'), 'n.png'].map((n) =>
      join(dir, 'drop', n),
    );
    expect((await discoverInputs([join(dir, 'drop')])).files.map((f) => f.path)).toEqual(expected);
    expect((await discoverInputs([join(dir, 'drop')])).files.map((f) => f.path)).toEqual(expected);
  });

  it('keeps dropped files in drop order, takes hidden ones when dropped explicitly, and lists each file once', async () => {
    const a = fx('good/03-portrait.jpg');
    const b = fx('good/01-sunset.jpg');
    const hidden = join(dir, '.explicit.png');
    await copyFile(fx('good/04-shapes.png'), hidden);
    const result = await discoverInputs([a, b, hidden, fx('good'), a]);
    expect(result.files.map((f) => f.path)).toEqual([a, b, hidden, fx('good/02-meadow.webp'), fx('good/04-shapes.png'), fx('good/05-harbour.webp')]);
    expect(result.skipped).toEqual([]);
  });

  it('reports every bad input with a reason and never throws', async () => {
    const bmp = Buffer.alloc(64);
    bmp.write('BM', 0, 'latin1');
    bmp.writeUInt32LE(40, 14);
    await writeFile(join(dir, 'old.bmp'), bmp);
    const result = await discoverInputs([fx('bad'), join(dir, 'old.bmp'), join(dir, 'missing.jpg')]);
    // Only the files whose first bytes look like images go on to prepare, which refuses them there.
    expect(result.files.map((f) => f.path)).toEqual([fx('bad/huge-20000x20000.png'), fx('bad/truncated.jpg')]);
    expect(result.skipped).toEqual([
      { path: fx('bad/empty.jpg'), reason: 'The file is empty.' },
      { path: fx('bad/not-an-image.txt'), reason: 'Not an image Loupe can read (text file).' },
      { path: fx('bad/text-renamed.jpg'), reason: 'Not an image Loupe can read (text file).' },
      { path: join(dir, 'old.bmp'), reason: expect.stringMatching(/^BMP images aren’t supported/) },
      { path: join(dir, 'missing.jpg'), reason: 'Not found. It may have been moved or deleted.' },
    ]);
  });

  it.skipIf(process.platform === 'win32')('follows symbolic links to photos and reports broken ones', async () => {
    await mkdir(join(dir, 'drop'));
    await symlink(fx('good/01-sunset.jpg'), join(dir, 'drop', 'linked.jpg'));
    await symlink(join(dir, 'nowhere.jpg'), join(dir, 'drop', 'broken.jpg'));
    const result = await discoverInputs([join(dir, 'drop')]);
    expect(result.files).toEqual([{ path: join(dir, 'drop', 'linked.jpg'), size: (await readFile(fx('good/01-sunset.jpg'))).length }]);
    expect(result.skipped).toEqual([{ path: join(dir, 'drop', 'broken.jpg'), reason: expect.stringMatching(/^Broken symbolic link/) }]);
  });

  const isRoot = process.getuid?.() === 0;
  if (isRoot) console.info('analysis-input: skipping the permission-denied discovery test: running as root, which can read any file.');
  it.skipIf(isRoot || process.platform === 'win32')('reports unreadable files and folders as permission denied', async () => {
    await mkdir(join(dir, 'drop', 'locked'), { recursive: true });
    await copyFile(fx('good/04-shapes.png'), join(dir, 'drop', 'a.png'));
    await copyFile(fx('good/04-shapes.png'), join(dir, 'drop', 'secret.png'));
    await chmod(join(dir, 'drop', 'secret.png'), 0o000);
    await chmod(join(dir, 'drop', 'locked'), 0o000);
    try {
      const result = await discoverInputs([join(dir, 'drop')]);
      expect(result.files.map((f) => f.path)).toEqual([join(dir, 'drop', 'a.png')]);
      expect(result.skipped).toEqual([
        { path: join(dir, 'drop', 'locked'), reason: 'Permission denied.' },
        { path: join(dir, 'drop', 'secret.png'), reason: 'Permission denied.' },
      ]);
      expect((await loupeError(prepareImage(join(dir, 'drop', 'secret.png')))).message).toMatch(/Permission denied/);
    } finally {
      await chmod(join(dir, 'drop', 'locked'), 0o700);
      await chmod(join(dir, 'drop', 'secret.png'), 0o600);
    }
  });

  it('stops at maxFiles and says so once', async () => {
    const result = await discoverInputs([fx('good'), fx('edge')], { maxFiles: 3 });
    expect(result.files.map((f) => f.path)).toEqual([fx('good/01-sunset.jpg'), fx('good/02-meadow.webp'), fx('good/03-portrait.jpg')]);
    expect(result.skipped).toEqual([
      { path: fx('good/04-shapes.png'), reason: 'Loupe takes at most 3 images at a time, so this file and any after it were left out.' },
    ]);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(discoverInputs([fx('good')], { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('hashFile', () => {
  const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

  it('matches a one-shot SHA-256 of the contents', async () => {
    for (const rel of ['good/01-sunset.jpg', 'bad/empty.jpg', 'edge/alpha.png']) {
      expect(await hashFile(fx(rel))).toBe(sha256(await readFile(fx(rel))));
    }
    expect(await hashFile(fx('bad/empty.jpg'))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('streams files larger than one read chunk, and gives identical content the same hash under any name', async () => {
    const data = Buffer.alloc(5 * 1024 * 1024 + 123);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 10)) & 0xff;
    await writeFile(join(dir, 'one.bin'), data);
    await writeFile(join(dir, 'two.jpg'), data);
    expect(await hashFile(join(dir, 'one.bin'))).toBe(sha256(data));
    expect(await hashFile(join(dir, 'two.jpg'))).toBe(await hashFile(join(dir, 'one.bin')));
  });

  it('rejects for a missing file', async () => {
    await expect(hashFile(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
