/**
 * What a built package may contain, per OS and arch, read from its app.asar
 * listing and the files unpacked beside it: sharp's build for that OS and arch
 * only (macOS and Windows native, for their arch; Linux the WebAssembly build,
 * no native sharp), nothing unpacked but native code, no other OS's binaries,
 * and every packaged dependency's licence file. build/check-package.ts applies
 * it to each CI build; test/electron/packaged-layout.test.ts to the stand-in
 * Linux build here. Returns the problems, empty when the package passes.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type Os = 'mac' | 'win' | 'linux';
export type Arch = 'x64' | 'arm64';

const LICENCE = /^(licen[cs]e|copying|notice)([.-].*)?$/i;
const NATIVE = /\.(node|dll|dylib|so)(\.\d+)*$/;
const SHARP_PACKAGE = /^@img\/sharp-(libvips-)?(darwin|linux|linuxmusl|win32|wasm32)(-([a-z0-9]+))?$/;

/** `name` or `@scope/name` of every package directory with a package.json in an asar listing ('/node_modules/…'). */
export function packagesIn(files: readonly string[]): Set<string> {
  return new Set(
    files
      .filter((f) => /^\/node_modules\/((@[^/]+\/)?[^/@]+)\/package\.json$/.test(f))
      .map((f) => f.replace(/^\/node_modules\//, '').replace(/\/package\.json$/, '')),
  );
}

/** The sharp packages a build for this OS and arch must hold, and nothing else of sharp's. */
export function expectedSharp(os: Os, arch: Arch): string[] {
  if (os === 'linux') return ['@img/sharp-wasm32'];
  const platform = os === 'mac' ? 'darwin' : 'win32';
  return os === 'mac' ? [`@img/sharp-${platform}-${arch}`, `@img/sharp-libvips-${platform}-${arch}`] : [`@img/sharp-${platform}-${arch}`];
}

export function packageProblems(options: {
  /** The asar listing, '/'-separated paths starting at '/'. */
  asarFiles: readonly string[];
  /** Files under app.asar.unpacked, relative, '/'-separated. */
  unpackedFiles: readonly string[];
  os: Os;
  arch: Arch;
  /** Where the packaged dependencies came from (the project's node_modules), to compare licence files. */
  nodeModules: string;
}): string[] {
  const problems: string[] = [];
  const packages = packagesIn(options.asarFiles);
  const sharp = [...packages].filter((p) => SHARP_PACKAGE.test(p)).sort();
  const expected = expectedSharp(options.os, options.arch).sort();
  if (JSON.stringify(sharp) !== JSON.stringify(expected))
    problems.push(`sharp packages ${sharp.join(', ') || 'none'}, expected ${expected.join(', ')}`);
  if (!packages.has('sharp')) problems.push('sharp itself is missing');

  for (const file of options.unpackedFiles) if (!NATIVE.test(file)) problems.push(`unpacked but not native code: ${file}`);
  const foreign = options.os === 'mac' ? /\.(dll|so)(\.\d+)*$/ : options.os === 'win' ? /\.(dylib|so)(\.\d+)*$/ : /\.(dll|dylib|node)$/;
  for (const file of [...options.asarFiles, ...options.unpackedFiles]) if (foreign.test(file)) problems.push(`another OS's binary: ${file}`);
  if (options.os !== 'linux' && !options.unpackedFiles.some((f) => f.endsWith('.node'))) problems.push('no native sharp binding unpacked');
  if (options.os === 'linux' && !options.asarFiles.some((f) => /sharp-wasm32\/.*\.wasm$/.test(f)))
    problems.push("sharp's WebAssembly build is not in the asar");

  for (const dir of packages) {
    const source = join(options.nodeModules, dir);
    if (!existsSync(source)) continue;
    for (const name of readdirSync(source).filter((n) => LICENCE.test(n) && statSync(join(source, n)).isFile())) {
      const packaged = `/node_modules/${dir}/${name}`;
      if (!options.asarFiles.includes(packaged) && !options.unpackedFiles.includes(`node_modules/${dir}/${name}`))
        problems.push(`licence missing: ${dir}/${name}`);
    }
  }
  if (!options.asarFiles.includes('/LICENSE')) problems.push("Loupe's own LICENSE is missing");
  return problems;
}
