/**
 * The packaged layout, proven without Electron's binaries: electron-builder
 * packs a Linux `dir` build around a stand-in Electron distribution (a
 * placeholder `electron` executable and an empty resources folder, which is
 * all app-builder-lib's "custom unpacked Electron distribution" path copies),
 * and the test reads the resulting app.asar with @electron/asar.
 *
 * Fuses live inside the real Electron binary, so they cannot be flipped on a
 * placeholder; the test checks the configuration that flips them and prints it.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import asar from '@electron/asar';
import { type Configuration, Platform, build } from 'electron-builder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repo } from './simulated-app';

const built = ['dist/main/main.js', 'dist/preload/preload.cjs', 'dist/renderer/index.html'].every((f) => existsSync(join(repo, f)));
const configPath = join(repo, 'build/electron-builder.json');
const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown> & {
  electronFuses: Record<string, boolean>;
  directories: Record<string, string>;
  mac: Record<string, unknown>;
  linux: Record<string, unknown>;
  publish: Array<Record<string, string>>;
};
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  engines: { node: string };
  homepage?: string;
  repository?: unknown;
  author?: { email?: string };
};

if (!built) console.log('[packaged layout] skipped: dist/ is missing; run "npm run build" first (npm test does).');

describe.skipIf(!built)('packaged Linux layout (electron-builder --linux dir, stand-in Electron)', () => {
  const work = mkdtempSync(join(tmpdir(), 'loupe-pack-'));
  const appOutDir = join(work, 'out', 'linux-unpacked');
  let files: string[] = [];

  beforeAll(async () => {
    const electronDist = join(work, 'electron-dist');
    mkdirSync(join(electronDist, 'resources'), { recursive: true });
    writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\necho "stand-in for the Electron binary" >&2\nexit 1\n');
    chmodSync(join(electronDist, 'electron'), 0o755);
    writeFileSync(join(electronDist, 'LICENSE'), 'stand-in');
    const { electronFuses: _fuses, ...rest } = config;
    await build({
      projectDir: repo,
      targets: Platform.LINUX.createTarget('dir'),
      publish: 'never',
      config: { ...rest, electronDist, directories: { ...config.directories, output: join(work, 'out') } } as unknown as Configuration,
    });
    files = asar.listPackage(join(appOutDir, 'resources', 'app.asar'), { isPack: false }).map((f) => f.split('\\').join('/'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('renames the executable and puts the app in resources/app.asar, icons beside it', () => {
    expect(existsSync(join(appOutDir, 'loupe'))).toBe(true);
    const icons = readdirSync(join(appOutDir, 'resources', 'icons'));
    for (const state of ['signed-out', 'signed-in', 'expiring', 'needs-sign-in', 'busy']) {
      expect(icons).toEqual(expect.arrayContaining([`tray-${state}.png`, `tray-${state}@2x.png`, `tray-${state}Template.png`]));
    }
    expect(icons).toContain('app.png');
    // electron-updater's feed, written from `publish`.
    expect(readFileSync(join(appOutDir, 'resources', 'app-update.yml'), 'utf8')).toContain('provider: github');
  });

  it('holds the built main, preload and renderer', () => {
    expect(files).toEqual(expect.arrayContaining(['/dist/main/main.js', '/dist/preload/preload.cjs', '/dist/renderer/index.html', '/package.json']));
    expect(files.some((f) => /^\/dist\/main\/assets\/core-.*\.js$/.test(f))).toBe(true);
  });

  it('holds no tests, sources or source maps', () => {
    const top = new Set(files.map((f) => f.split('/')[1]));
    expect([...top].sort()).toEqual(['dist', 'node_modules', 'package.json']);
    expect(files.filter((f) => /\.(map|ts|tsx|mts|cts)$/.test(f))).toEqual([]);
    expect(
      files.filter(
        (f) => f.startsWith('/dist/') && !/\.(js|cjs|css|html|svg|png|woff2|ico|json|txt)$/.test(f) && !files.some((g) => g.startsWith(`${f}/`)),
      ),
    ).toEqual([]);
  });

  it('holds production dependencies only: no React (bundled by Vite), no dev tools', () => {
    const modules = new Set(
      files
        .filter((f) => f.startsWith('/node_modules/'))
        .map((f) =>
          f
            .split('/')
            .slice(2, f.split('/')[2]!.startsWith('@') ? 4 : 3)
            .join('/'),
        ),
    );
    for (const dep of Object.keys(pkg.dependencies)) expect(modules, dep).toContain(dep);
    for (const dev of [
      'react',
      'react-dom',
      'jose',
      'vite',
      'vitest',
      'electron',
      'electron-builder',
      'typescript',
      'oidc-provider',
      'playwright',
      'tsx',
    ]) {
      expect(modules.has(dev), dev).toBe(false);
    }
  });

  it('lays sharp out for Linux: the WebAssembly build, none of the native Linux packages', () => {
    expect(files).toContain('/node_modules/@img/sharp-wasm32/package.json');
    expect(files.filter((f) => /\/@img\/sharp-(libvips-)?linux/.test(f))).toEqual([]);
    // Unpacked next to the asar (asarUnpack), where sharp's loader reads it from disk.
    expect(readdirSync(join(appOutDir, 'resources', 'app.asar.unpacked', 'node_modules', '@img'))).toContain('sharp-wasm32');
  });

  it('the packaged dependencies load, and sharp takes its WebAssembly build there', async () => {
    const extracted = join(work, 'extracted');
    asar.extractAll(join(appOutDir, 'resources', 'app.asar'), extracted);
    cpSync(join(appOutDir, 'resources', 'app.asar.unpacked'), extracted, { recursive: true });
    const probe = join(extracted, 'probe.mjs');
    writeFileSync(
      probe,
      [
        "import 'openai'; import 'oauth4webapi'; import 'zod';",
        "const { default: sharp } = await import('sharp');",
        "process.stdout.write(JSON.stringify({ emscripten: 'emscripten' in sharp.versions }));",
      ].join('\n'),
    );
    const out = execFileSync(process.execPath, [probe], { cwd: extracted, encoding: 'utf8' });
    // No native Linux sharp was packaged, so sharp falls back to WebAssembly without any hook.
    expect(JSON.parse(out)).toEqual({ emscripten: true });
  });
});

describe('packaging configuration', () => {
  it('flips the fuses that lock the binary down (checked here, flipped by electron-builder on a real binary)', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
      enableCookieEncryption: true,
    });
    console.log(
      `[packaged layout] fuses are configured, not flipped: the stand-in Electron has no fuse wire.\n${Object.entries(config.electronFuses)
        .map(([fuse, on]) => `  ${fuse}: ${on}`)
        .join('\n')}`,
    );
  });

  it('macOS: menu-bar app, hardened runtime, only the JIT entitlement', () => {
    expect(config.mac).toMatchObject({ target: ['dmg', 'zip'], hardenedRuntime: true, extendInfo: { LSUIElement: true } });
    const entitlements = readFileSync(join(repo, String(config.mac.entitlements)), 'utf8');
    const keys = [...entitlements.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1]);
    expect(keys).toEqual(['com.apple.security.cs.allow-jit']);
  });

  it('Linux deb has what fpm requires; updates come from GitHub Releases; the toolchain’s Node is stated', () => {
    expect(config.linux).toMatchObject({ target: ['AppImage', 'deb'] });
    expect(String(config.linux.maintainer)).toMatch(/<[^@>]+@[^>]+>/);
    expect(pkg.homepage ?? pkg.repository).toBeTruthy();
    expect(pkg.author?.email).toMatch(/@/);
    expect(config.publish[0]).toMatchObject({ provider: 'github' });
    expect(pkg.engines.node).toBe('>=22.12');
  });

  it('every production dependency is imported by the main process', () => {
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
      );
    const code = sources(join(repo, 'electron'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    for (const dep of Object.keys(pkg.dependencies)) {
      // sharp loads its WebAssembly build itself when the native one is refused.
      if (dep === '@img/sharp-wasm32') continue;
      expect(code.includes(`'${dep}'`), `${dep} is in dependencies but nothing under electron/ imports it`).toBe(true);
    }
    for (const dep of ['react', 'react-dom']) expect(pkg.devDependencies, dep).toHaveProperty(dep);
  });
});
