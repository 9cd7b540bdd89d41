/**
 * `npm run icons`: renders build/icons/src/*.svg to the PNGs the app loads.
 * Tray icons at 1× (16 px) and 2× (32 px), plus macOS template variants
 * (black + alpha, so the menu bar can tint them); the app icon at 512 px.
 * Outputs are committed so a build needs no rendering step.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const iconDir = fileURLToPath(new URL('./icons/', import.meta.url));
const srcDir = join(iconDir, 'src');

async function render(svg: Buffer, size: number): Promise<Buffer> {
  return sharp(svg, { density: Math.max(72, (72 * size) / 32) }).resize(size, size).png().toBuffer();
}

/** macOS template image: keep the shape (alpha), paint everything black. */
async function template(png: Buffer): Promise<Buffer> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  for (let i = 0; i < data.length; i += 4) {
    data[i] = 0;
    data[i + 1] = 0;
    data[i + 2] = 0;
  }
  return sharp(data, { raw: { width: info.width, height: info.height, channels: 4 } }).png().toBuffer();
}

const written: string[] = [];
for (const file of (await readdir(srcDir)).filter((f) => f.endsWith('.svg')).sort()) {
  const name = basename(file, '.svg');
  const svg = await readFile(join(srcDir, file));
  if (name === 'app') {
    for (const size of [512, 256]) {
      const out = join(iconDir, size === 512 ? 'app.png' : `app-${size}.png`);
      await writeFile(out, await render(svg, size));
      written.push(out);
    }
    continue;
  }
  const x1 = await render(svg, 16);
  const x2 = await render(svg, 32);
  const outputs: Array<[string, Buffer]> = [
    [`${name}.png`, x1],
    [`${name}@2x.png`, x2],
    [`${name}Template.png`, await template(x1)],
    [`${name}Template@2x.png`, await template(x2)],
  ];
  for (const [out, data] of outputs) {
    await writeFile(join(iconDir, out), data);
    written.push(join(iconDir, out));
  }
}
console.log(`rendered ${written.length} icons into ${iconDir}`);
