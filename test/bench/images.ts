/**
 * Benchmark photos: 12-megapixel JPEGs (4000×3000) that compress like real
 * photos, made once with sharp and kept in `.cache/bench-images/` (git
 * ignores `.cache/`). Each is a smooth colour field, semi-transparent shapes
 * with hard edges, fine stripes that survive downscaling, and sensor-like
 * noise: about 3–5 MB at quality 90, like a phone photo.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

export const WIDTH = 4000;
export const HEIGHT = 3000;

function rng(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

/** Gaussian-ish noise (sum of uniforms), shared by every image at a different offset. */
const NOISE = (() => {
  const r = rng(99);
  const table = new Int8Array(1 << 20);
  for (let i = 0; i < table.length; i++) table[i] = Math.round((r() + r() + r() - 1.5) * 22);
  return table;
})();

async function makeBenchPhoto(path: string, seed: number): Promise<void> {
  const r = rng(seed);
  const colour = () => `rgb(${Math.floor(r() * 256)},${Math.floor(r() * 256)},${Math.floor(r() * 256)})`;
  const field = Buffer.alloc(8 * 6 * 3);
  for (let i = 0; i < field.length; i++) field[i] = Math.floor(r() * 256);
  let shapes = '';
  for (let i = 0; i < 30; i++) {
    const x = r() * WIDTH;
    const y = r() * HEIGHT;
    const w = 100 + r() * 900;
    const h = 100 + r() * 700;
    shapes +=
      r() < 0.5
        ? `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${colour()}" fill-opacity="${(0.3 + r() * 0.6).toFixed(2)}" transform="rotate(${(r() * 60 - 30).toFixed(1)} ${x} ${y})"/>`
        : `<ellipse cx="${x}" cy="${y}" rx="${w / 2}" ry="${h / 2}" fill="${colour()}" fill-opacity="${(0.3 + r() * 0.6).toFixed(2)}"/>`;
  }
  for (let i = 0; i < 12; i++) {
    const x = Math.round(r() * WIDTH);
    const y = Math.round(r() * HEIGHT);
    const period = 6 + Math.floor(r() * 10);
    const d = Array.from({ length: 30 }, (_, k) => `M${x + k * period} ${y}h${period / 2}v${Math.round(200 + r() * 300)}h-${period / 2}z`).join('');
    shapes += `<path d="${d}" fill="${colour()}" fill-opacity="0.7" transform="rotate(${Math.round(r() * 180)} ${x} ${y})"/>`;
  }
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}">${shapes}</svg>`);
  const { data, info } = await sharp(field, { raw: { width: 8, height: 6, channels: 3 } })
    .resize(WIDTH, HEIGHT, { kernel: 'cubic' })
    .composite([{ input: svg }])
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const offset = Math.floor(r() * NOISE.length);
  const mask = NOISE.length - 1;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]! + NOISE[(i + offset) & mask]!;
    data[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .jpeg({ quality: 90 })
    .toFile(path);
}

/** Makes whatever of the `count` photos is missing; returns all their paths and total bytes. */
export async function ensureBenchImages(dir: string, count: number, log: (line: string) => void): Promise<{ paths: string[]; bytes: number }> {
  await mkdir(dir, { recursive: true });
  const have = new Set(await readdir(dir));
  const paths = Array.from({ length: count }, (_, i) => join(dir, `bench-${String(i + 1).padStart(3, '0')}.jpg`));
  const missing = paths.map((p, i) => ({ p, i })).filter(({ p }) => !have.has(p.slice(dir.length + 1)));
  if (missing.length) {
    log(`generating ${missing.length} benchmark photos (once) in ${dir} …`);
    const started = Date.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < missing.length) {
        const { p, i } = missing[next++]!;
        await makeBenchPhoto(p, i + 1);
        if ((next % 20 === 0 || next === missing.length) && next > 0)
          log(`  ${next}/${missing.length} (${Math.round((Date.now() - started) / 1000)} s)`);
      }
    };
    await Promise.all([worker(), worker()]);
  }
  let bytes = 0;
  for (const p of paths) bytes += (await stat(p)).size;
  return { paths, bytes };
}
