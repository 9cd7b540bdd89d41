/**
 * Child process: prepares the fixture photos with the sharp build the app
 * would pick (`wasm` = Linux under Electron), installed by the app's own
 * hook before sharp is first loaded, and prints the outcomes as JSON.
 * Usage: tsx test/electron/prepare-with-backend.ts wasm|native
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseImageBackend, installImageBackend, loadedImageBackend } from '../../electron/shell/image-backend';

const mode = process.argv[2];
installImageBackend(chooseImageBackend('linux', mode === 'wasm'));

// Only now may sharp load: the core imports it.
const { prepareImage } = await import('../../electron/core/analysis/input/prepare');
const { default: sharp } = await import('sharp');

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const cases: Record<string, [string, Parameters<typeof prepareImage>[1]?]> = {
  rotated: ['edge/exif-rotated.jpg'],
  gps: ['edge/with-gps.jpg'],
  resized: ['good/01-sunset.jpg', { maxEdge: 512 }],
  tooLarge: ['good/04-shapes.png', { maxSourceBytes: 1000 }],
  bomb: ['bad/huge-20000x20000.png'],
};

const results: Record<string, unknown> = {};
for (const [name, [file, options]] of Object.entries(cases)) {
  try {
    const p = await prepareImage(join(fixtures, file), options);
    results[name] = {
      ok: true,
      mime: p.mime,
      width: p.width,
      height: p.height,
      sourceWidth: p.sourceWidth,
      sourceHeight: p.sourceHeight,
      notes: p.notes,
      data: p.data.toString('base64'),
    };
  } catch (error) {
    results[name] = { ok: false, code: (error as { code?: string }).code ?? String(error) };
  }
}
process.stdout.write(JSON.stringify({ backend: loadedImageBackend(sharp.versions), results }));
