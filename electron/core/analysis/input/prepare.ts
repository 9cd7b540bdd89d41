/**
 * Turns a photo on disk into what is uploaded for analysis: upright, at most
 * `maxEdge` on its long side, 8-bit sRGB, with every byte of metadata (GPS,
 * camera serials, names, XMP, ICC) left behind, plus a small thumbnail for the
 * UI. Everything that can be refused without decoding (size, pixel count,
 * obvious non-images) is refused before sharp decodes a single pixel.
 */
import sharp, { type JpegOptions, type Sharp, type SharpOptions } from 'sharp';
import { decodeError, describeChanges } from './decode-messages';
import { FAIL_ON, inspectSource } from './source-check';

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

/** `{ maxEdge: undefined }` means "use the default", not "no limit". */
function definedOnly(options: PrepareOptions): PrepareOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
