/**
 * `tsx build/check-package.ts <mac|win|linux> <x64|arm64>`, after electron-builder wrote out/: reads the
 * packaged app.asar and the files unpacked beside it and fails on anything build/package-contents.ts
 * refuses (another OS's or arch's sharp, non-native files unpacked, a missing licence).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import asar from '@electron/asar';
import { type Arch, type Os, packageProblems } from './package-contents';

const [os, arch] = process.argv.slice(2) as [Os, Arch];
if (!['mac', 'win', 'linux'].includes(os) || !['x64', 'arm64'].includes(arch)) {
  console.error('usage: tsx build/check-package.ts <mac|win|linux> <x64|arm64>');
  process.exit(2);
}

const walk = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)])) : [];

const out = join(process.cwd(), 'out');
const asarPath = walk(out).find((f) => f.endsWith(`${join('resources', 'app.asar')}`));
if (!asarPath) {
  console.error(`check-package: no resources/app.asar under ${out}`);
  process.exit(1);
}
const unpacked = `${asarPath}.unpacked`;
const problems = packageProblems({
  asarFiles: asar.listPackage(asarPath, { isPack: false }).map((f) => f.split('\\').join('/')),
  unpackedFiles: walk(unpacked).map((f) => relative(unpacked, f).split('\\').join('/')),
  os,
  arch,
  nodeModules: join(process.cwd(), 'node_modules'),
});
console.log(`check-package: ${asarPath}`);
for (const problem of problems) console.error(`  ✗ ${problem}`);
if (problems.length > 0) process.exit(1);
console.log('  ✓ sharp for this OS and arch only, nothing unpacked but native code, every licence kept');
