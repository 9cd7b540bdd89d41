/**
 * `npm run icons`: renders build/icons/src/*.svg to the PNGs the app loads.
 * Tray icons at 1× (16 px) and 2× (32 px), plus macOS template variants
 * (black + alpha, so the menu bar can tint them); the app icon at 512 px.
 *
 * A template image has one colour, so a state's badge is told apart by its
 * glyph alone: the glyph (`<g class="glyph">`) is cut out of the badge as
 * transparency, and the badge's outline is cut out of the loupe behind it.
 * Outputs are committed so a build needs no rendering step.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const iconDir = fileURLToPath(new URL('./icons/', import.meta.url));
const srcDir = join(iconDir, 'src');

async function render(svg: Buffer, size: number): Promise<Buffer> {
  return sharp(svg, { density: Math.max(72, (72 * size) / 32) })
    .resize(size, size)
    .png()
    .toBuffer();
}

const paint = (markup: string, colour: string) =>
  markup.replace(/(fill|stroke)="(?!none)[^"]*"/g, (_match, attribute: string) => `${attribute}="${colour}"`);

/** The template variant of a tray SVG: all black, glyph and badge outline cut out through a mask. */
function templateSvg(svg: string): string {
  const open = svg.match(/<svg[^>]*>/)?.[0];
  if (!open) throw new Error('not an SVG');
  const inner = svg.slice(svg.indexOf(open) + open.length, svg.lastIndexOf('</svg>')).replace(/<!--[\s\S]*?-->/g, '');
  const glyph = inner.match(/<g class="glyph">([\s\S]*?)<\/g>/)?.[1] ?? '';
  const body = inner.replace(/<g class="glyph">[\s\S]*?<\/g>/, '');
  const badge = body.match(/<(?:circle|path) class="badge"[^>]*\/>/)?.[0];
  // The badge's outline becomes a transparent ring, its fill stays.
  const outline = badge ? paint(badge, '#000').replace(/fill="#000"/, 'fill="none"') : '';
  const cuts = paint(glyph, '#000') + outline;
  const shapes = paint(body, '#000');
  return `${open}<defs><mask id="cut" maskUnits="userSpaceOnUse" x="0" y="0" width="32" height="32"><rect width="32" height="32" fill="#fff"/>${cuts}</mask></defs><g mask="url(#cut)">${shapes}</g></svg>`;
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
  const mono = Buffer.from(templateSvg(svg.toString('utf8')));
  const outputs: Array<[string, Buffer]> = [
    [`${name}.png`, await render(svg, 16)],
    [`${name}@2x.png`, await render(svg, 32)],
    [`${name}Template.png`, await render(mono, 16)],
    [`${name}Template@2x.png`, await render(mono, 32)],
  ];
  for (const [out, data] of outputs) {
    await writeFile(join(iconDir, out), data);
    written.push(join(iconDir, out));
  }
}
console.log(`rendered ${written.length} icons into ${iconDir}`);
