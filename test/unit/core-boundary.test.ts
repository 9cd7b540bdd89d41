import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot as repo, sourceFilesUnder as filesUnder } from '../support/source-tree';

const coreDir = join(repo, 'electron', 'core');

/** Every way a module can pull in the `electron` package (or a subpath of it). */
const ELECTRON_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)['"]electron(?:\/[^'"]*)?['"]/;

export function importsElectron(source: string): boolean {
  return ELECTRON_IMPORT.test(source);
}

describe('electron/core stays Electron-free', () => {
  it('detects each import form (so the scan below can fail)', () => {
    expect(importsElectron("import { app } from 'electron';")).toBe(true);
    expect(importsElectron('import type { App } from "electron"')).toBe(true);
    expect(importsElectron("const { app } = require('electron')")).toBe(true);
    expect(importsElectron("await import('electron')")).toBe(true);
    expect(importsElectron("import 'electron';")).toBe(true);
    expect(importsElectron("import x from 'electron/main'")).toBe(true);
    expect(importsElectron("import Store from 'electron-store'")).toBe(false);
    expect(importsElectron('// the Electron shell adapts this')).toBe(false);
  });

  it('no file under electron/core imports electron', () => {
    const files = filesUnder(coreDir);
    expect(files.length).toBeGreaterThan(5);
    const offenders = files.filter((file) => importsElectron(readFileSync(file, 'utf8'))).map((f) => relative(repo, f));
    expect(offenders).toEqual([]);
  });
});
