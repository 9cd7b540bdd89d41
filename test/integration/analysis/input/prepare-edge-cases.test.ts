/**
 * electron/core/analysis/input/prepare.ts on the edge fixtures: orientation,
 * metadata stripping, transparency, animation, bit depth, sizing and
 * thumbnails, checked by pixel and by byte, not only by what sharp reports.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { hasTransparentPixel, prepareImage, prepareThumbnailOnly } from '../../../../electron/core/analysis/input/prepare';
import { dataUrlSize, expectColour, fx, loupeError, pixelAt, useTempDir } from './support';

let dir: string;
useTempDir((path) => (dir = path));

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
    const thumb = Buffer.from(prepared.thumbnail!.split(',')[1]!, 'base64');
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
    const thumb = await dataUrlSize(small.thumbnail!);
    expect([thumb.width, thumb.height]).toEqual([160, 107]);

    const custom = await prepareImage(fx('good/01-sunset.jpg'), { maxEdge: 512, thumbnailEdge: 64 });
    expect([custom.width, custom.height]).toEqual([512, 341]);
    const customThumb = await dataUrlSize(custom.thumbnail!);
    expect(Math.max(customThumb.width, customThumb.height)).toBe(64);

    // Without a thumbnail (nobody is looking): the same upload, no second encode.
    const bare = await prepareImage(fx('good/01-sunset.jpg'), { maxEdge: 512, thumbnail: false });
    expect(bare.thumbnail).toBeUndefined();
    expect(bare.data.equals(custom.data)).toBe(true);
  });

  it('makes a thumbnail on its own, with the same refusals', async () => {
    const thumb = await dataUrlSize(await prepareThumbnailOnly(fx('edge/exif-rotated.jpg')));
    expect([thumb.width, thumb.height]).toEqual([107, 160]);
    expect((await loupeError(prepareThumbnailOnly(fx('bad/truncated.jpg')))).code).toBe('unreadable_image');
    expect((await loupeError(prepareThumbnailOnly(fx('bad/empty.jpg')))).message).toBe('The file is empty.');
  });
});
