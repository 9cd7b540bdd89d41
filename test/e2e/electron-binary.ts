import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Finds an Electron binary WITHOUT importing the `electron` package, whose
 * index downloads one on first use (impossible offline).
 */
export function findElectronBinary(): { path: string; reason?: undefined } | { path: null; reason: string } {
  const override = process.env.LOUPE_ELECTRON_BINARY;
  if (override) return existsSync(override) ? { path: override } : { path: null, reason: `LOUPE_ELECTRON_BINARY=${override} does not exist` };
  const pkgDir = fileURLToPath(new URL('../../node_modules/electron/', import.meta.url));
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) {
    return {
      path: null,
      reason:
        'no Electron binary: node_modules/electron has not downloaded one (it does so on first start, which needs internet). ' +
        'Run `npm start` once on a connected machine, or set LOUPE_ELECTRON_BINARY.',
    };
  }
  const binary = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { path: binary } : { path: null, reason: `Electron binary listed in path.txt is missing: ${binary}` };
}
