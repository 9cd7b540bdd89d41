/**
 * sharp on its own, for the benchmark's preparation bound and the
 * WebAssembly ratio, in a process of its own:
 *
 *   node --import tsx test/bench/sharp-alone.ts <config.json>
 *
 * config: { paths, width, height, parallel, backend: 'native' | 'wasm', loupe?: boolean }.
 * Each photo: decode (shrink-on-load), upright, resize inside width×height,
 * JPEG at Loupe's settings, `parallel` at a time. With `loupe: true` it runs
 * Loupe's own preparation (read once, hash, header checks, resize, JPEG,
 * thumbnail) instead, for the same comparison. For 'wasm' the native
 * `@img/sharp-linux*` packages are refused before sharp first loads, as the
 * desktop app's Linux image backend does, so sharp loads `@img/sharp-wasm32`.
 * Prints one JSON line: { perSecond, ms, photos, wasm }.
 */
import { readFileSync } from 'node:fs';
import Module from 'node:module';

interface Config {
  paths: string[];
  width: number;
  height: number;
  parallel: number;
  backend: 'native' | 'wasm';
  loupe?: boolean;
  model?: string;
}

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Config;

if (config.backend === 'wasm') {
  const M = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
  const original = M._resolveFilename;
  M._resolveFilename = function (request: string, ...rest: unknown[]) {
    if (/^@img\/sharp-(linux|linuxmusl)/.test(request)) {
      const error = new Error(`Cannot find module '${request}'`) as NodeJS.ErrnoException;
      error.code = 'MODULE_NOT_FOUND';
      throw error;
    }
    return original.call(this, request, ...rest);
  };
}

const { default: sharp } = await import('sharp');
sharp.cache(false);
const wasm = 'emscripten' in sharp.versions;

let outBytes = 0;
let prepare: (path: string) => Promise<unknown>;
if (config.loupe) {
  const { prepareImage } = await import('../../electron/core/analysis/input/prepare');
  const { readPhoto } = await import('../../electron/core/analysis/input/read-once');
  const { targetSize } = await import('../../electron/core/analysis/input/image-sizing');
  prepare = async (path) => {
    const { data } = await readPhoto(path, { maxBytes: 50 * 1024 * 1024 });
    const prepared = await prepareImage(path, { source: data, fitTo: (w, h) => targetSize(config.model ?? '', 'auto', w, h), jpegQuality: 85 });
    outBytes += prepared.data.length;
    return prepared;
  };
} else {
  prepare = (path) =>
    sharp(path, { failOn: 'truncated', sequentialRead: true, autoOrient: true })
      .resize({ width: config.width, height: config.height, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 85, optimiseCoding: true, chromaSubsampling: '4:2:0' })
      .toBuffer()
      .then((data) => (outBytes += data.length));
}

// One round first, as many at once as the run uses, so start-up (library load, first decodes,
// the JIT's first pass over Loupe's code) is not counted.
await Promise.all(config.paths.slice(0, config.parallel).map((path) => prepare(path)));
outBytes = 0;
const started = performance.now();
const cpu = process.cpuUsage();
let next = 0;
await Promise.all(
  Array.from({ length: config.parallel }, async () => {
    while (next < config.paths.length) await prepare(config.paths[next++]!);
  }),
);
const ms = performance.now() - started;
const used = process.cpuUsage(cpu);
const cpuMsPerPhoto = (used.user + used.system) / 1000 / config.paths.length;
process.stdout.write(
  `${JSON.stringify({ perSecond: (config.paths.length / ms) * 1000, ms, photos: config.paths.length, cpuMsPerPhoto, bytesPerPhoto: outBytes / config.paths.length, wasm })}\n`,
);
process.exit(0);
