/**
 * `tsx build/merge-mac-feeds.ts <arm64 latest-mac.yml> <x64 latest-mac.yml> <out>`: the release workflow
 * builds macOS once per arch, and each build writes its own latest-mac.yml. electron-updater's MacUpdater
 * reads one feed and picks the file for its arch from `files` (MacUpdater.filterFilesForArch in 6.8: an Apple silicon Mac takes the entry whose
 * url names arm64, an Intel Mac one that does not), so the release carries one feed listing both. The
 * legacy top-level `path`/`sha512` stay the Intel build's, as older updaters read those.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

interface FeedFile {
  url: string;
  sha512: string;
  size: number;
  [key: string]: unknown;
}
export interface MacFeed {
  version: string;
  files: FeedFile[];
  path?: string;
  sha512?: string;
  releaseDate?: string;
  [key: string]: unknown;
}

// js-yaml comes with electron-builder and electron-updater (which read these files with it).
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown; dump(value: unknown, options?: object): string };

export function mergeMacFeeds(arm64: MacFeed, x64: MacFeed): MacFeed {
  if (arm64.version !== x64.version) throw new Error(`the two builds disagree on the version: ${arm64.version} and ${x64.version}`);
  if (!arm64.files.every((f) => f.url.includes('arm64'))) throw new Error('the Apple silicon feed lists a file without arm64 in its name');
  if (x64.files.some((f) => f.url.includes('arm64'))) throw new Error('the Intel feed lists an arm64 file');
  return { ...x64, files: [...x64.files, ...arm64.files] };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [arm64, x64, out] = process.argv.slice(2);
  if (!arm64 || !x64 || !out) {
    console.error('usage: tsx build/merge-mac-feeds.ts <arm64 latest-mac.yml> <x64 latest-mac.yml> <out>');
    process.exit(2);
  }
  const read = (path: string) => yaml.load(readFileSync(path, 'utf8')) as MacFeed;
  const merged = mergeMacFeeds(read(arm64), read(x64));
  writeFileSync(out, yaml.dump(merged, { lineWidth: -1 }));
  console.log(`merge-mac-feeds: ${merged.files.map((f) => f.url).join(', ')} → ${out}`);
}
