/**
 * The packaged layout, proven without Electron's binaries: electron-builder
 * packs a Linux `dir` build around a stand-in Electron distribution (a
 * placeholder `electron` executable carrying Electron's fuse wire, and an
 * empty resources folder, which is all app-builder-lib's "custom unpacked
 * Electron distribution" path copies), and the test reads the resulting
 * app.asar with @electron/asar. electron-builder flips the stand-in's fuses
 * as it would the real binary's, and the packaged main process then runs its
 * own smoke mode under the Electron double (the app.asar extracted into a
 * folder of that name), reading those fuses back.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import asar from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { Platform, build } from 'electron-builder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builderConfig } from '../../build/electron-builder.config';
import { packageProblems, packagesIn } from '../../build/package-contents';
import { smokeProblems } from '../../build/smoke-expectations';
import type { SmokeReport } from '../../electron/shell/smoke';
import { launch, repo } from './simulated-app';

const built = ['dist/main/main.js', 'dist/preload/preload.cjs', 'dist/renderer/index.html'].every((f) => existsSync(join(repo, f)));
const config = builderConfig({ LOUPE_UPDATE_REPOSITORY: 'loupe-app/loupe' });
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  engines: { node: string };
  homepage?: string;
  repository?: unknown;
  author?: { email?: string };
};

/** Electron's fuse sentinel and a V1 wire as Electron ships it (RunAsNode on, cookie encryption off, …), before any flip. */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const SHIPPED_WIRE = '10110000';

if (!built) console.log('[packaged layout] skipped: dist/ is missing; run "npm run build" first (npm test does).');

describe.skipIf(!built)('packaged Linux layout (electron-builder --linux dir, stand-in Electron)', () => {
  const work = mkdtempSync(join(tmpdir(), 'loupe-pack-'));
  const appOutDir = join(work, 'out', 'linux-unpacked');
  let files: string[] = [];

  beforeAll(async () => {
    const electronDist = join(work, 'electron-dist');
    mkdirSync(join(electronDist, 'resources'), { recursive: true });
    writeFileSync(
      join(electronDist, 'electron'),
      `#!/bin/sh\necho "stand-in for the Electron binary" >&2\nexit 1\n# ${FUSE_SENTINEL}\x01${String.fromCharCode(SHIPPED_WIRE.length)}${SHIPPED_WIRE}\n`,
      'latin1',
    );
    chmodSync(join(electronDist, 'electron'), 0o755);
    writeFileSync(join(electronDist, 'LICENSE'), 'stand-in');
    await build({
      projectDir: repo,
      targets: Platform.LINUX.createTarget('dir'),
      publish: 'never',
      config: { ...config, electronDist, directories: { ...config.directories, output: join(work, 'out') } },
    });
    files = asar.listPackage(join(appOutDir, 'resources', 'app.asar'), { isPack: false }).map((f) => f.split('\\').join('/'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('renames the executable and puts the app in resources/app.asar, icons beside it, the update feed from its one setting', () => {
    expect(existsSync(join(appOutDir, 'loupe'))).toBe(true);
    const icons = readdirSync(join(appOutDir, 'resources', 'icons'));
    for (const state of ['signed-out', 'signed-in', 'expiring', 'needs-sign-in', 'busy']) {
      expect(icons).toEqual(expect.arrayContaining([`tray-${state}.png`, `tray-${state}@2x.png`, `tray-${state}Template.png`]));
    }
    expect(icons).toContain('app.png');
    // electron-updater's feed, written from LOUPE_UPDATE_REPOSITORY (build/electron-builder.config.ts).
    const feed = readFileSync(join(appOutDir, 'resources', 'app-update.yml'), 'utf8');
    expect(feed).toContain('provider: github');
    expect(feed).toContain('owner: loupe-app');
    expect(feed).toContain('repo: loupe');
  });

  it("holds the built main, preload and renderer, and Loupe's licence", () => {
    expect(files).toEqual(
      expect.arrayContaining(['/dist/main/main.js', '/dist/preload/preload.cjs', '/dist/renderer/index.html', '/package.json', '/LICENSE']),
    );
    expect(files.some((f) => /^\/dist\/main\/assets\/core-.*\.js$/.test(f))).toBe(true);
  });

  it('holds no tests, sources or source maps', () => {
    const top = new Set(files.map((f) => f.split('/')[1]));
    expect([...top].sort()).toEqual(['LICENSE', 'dist', 'node_modules', 'package.json']);
    expect(files.filter((f) => /\.(map|ts|tsx|mts|cts)$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(
      files.filter(
        (f) => f.startsWith('/dist/') && !/\.(js|cjs|css|html|svg|png|woff2|ico|json|txt)$/.test(f) && !files.some((g) => g.startsWith(`${f}/`)),
      ),
    ).toEqual([]);
  });

  it('holds production dependencies only: no React (bundled by Vite), no dev tools', () => {
    const modules = packagesIn(files);
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

  it('passes the check CI applies to every build: sharp for this OS only, nothing unpacked but native code, every licence kept', () => {
    const unpacked = join(appOutDir, 'resources', 'app.asar.unpacked');
    const check = (os: 'linux' | 'mac', asarFiles: string[]) =>
      packageProblems({
        asarFiles,
        unpackedFiles: walk(unpacked).map((f) => relative(unpacked, f)),
        os,
        arch: os === 'mac' ? 'arm64' : 'x64',
        nodeModules: join(repo, 'node_modules'),
      });
    expect(check('linux', files)).toEqual([]);
    // The check fires: a macOS package holding this Linux layout fails it, and so does a dropped licence.
    expect(check('mac', files)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^sharp packages @img\/sharp-wasm32, expected/), 'no native sharp binding unpacked']),
    );
    expect(
      check(
        'linux',
        files.filter((f) => f !== '/node_modules/zod/LICENSE'),
      ),
    ).toEqual(['licence missing: zod/LICENSE']);
    // Nearly every packaged dependency ships a licence file (a files pattern that dropped them all would show here).
    const licence = /\/(licen[cs]e|copying)[^/]*$/i;
    const withLicence = [...packagesIn(files)].filter((dir) => files.some((f) => f.startsWith(`/node_modules/${dir}/`) && licence.test(f)));
    expect(withLicence.length).toBeGreaterThan(packagesIn(files).size * 0.9);
  });

  it('lays sharp out for Linux: the WebAssembly build inside the asar, no native sharp, nothing unpacked but native code', () => {
    expect(files).toContain('/node_modules/@img/sharp-wasm32/package.json');
    expect(files.some((f) => /^\/node_modules\/@img\/sharp-wasm32\/lib\/.*\.wasm$/.test(f))).toBe(true);
    expect(files.filter((f) => /\/@img\/sharp-(libvips-)?(linux|darwin|win32)/.test(f))).toEqual([]);
    // Only native code is unpacked (ASAR_UNPACK), and a Linux build has none: everything is inside the integrity-checked asar.
    expect(walk(join(appOutDir, 'resources', 'app.asar.unpacked'))).toEqual([]);
  });

  it("flips the stand-in binary's fuses as configured, read back with @electron/fuses", async () => {
    const wire = await getCurrentFuseWire(join(appOutDir, 'loupe'));
    const state = (option: FuseV1Options) => String.fromCharCode(Number(wire[option]));
    const fuses = config.electronFuses!;
    expect({
      runAsNode: state(FuseV1Options.RunAsNode),
      enableCookieEncryption: state(FuseV1Options.EnableCookieEncryption),
      enableNodeOptionsEnvironmentVariable: state(FuseV1Options.EnableNodeOptionsEnvironmentVariable),
      enableNodeCliInspectArguments: state(FuseV1Options.EnableNodeCliInspectArguments),
      enableEmbeddedAsarIntegrityValidation: state(FuseV1Options.EnableEmbeddedAsarIntegrityValidation),
      onlyLoadAppFromAsar: state(FuseV1Options.OnlyLoadAppFromAsar),
      grantFileProtocolExtraPrivileges: state(FuseV1Options.GrantFileProtocolExtraPrivileges),
    }).toEqual(Object.fromEntries(Object.entries(fuses).map(([fuse, on]) => [fuse, on ? '1' : '0'])));
  });

  describe("the packaged app's smoke mode, run under the Electron double", () => {
    let resources: string;
    beforeAll(() => {
      // The asar extracted into a folder of that name (Node reads no asar), the unpacked files merged in.
      resources = join(work, 'run', 'resources');
      cpSync(join(appOutDir, 'resources'), resources, { recursive: true, filter: (from) => !from.includes('app.asar') });
      asar.extractAll(join(appOutDir, 'resources', 'app.asar'), join(resources, 'app.asar'));
      if (existsSync(join(appOutDir, 'resources', 'app.asar.unpacked')))
        cpSync(join(appOutDir, 'resources', 'app.asar.unpacked'), join(resources, 'app.asar'), { recursive: true });
    });
    const smoke = async (env: Record<string, string> = {}) => {
      const report = join(mkdtempSync(join(work, 'smoke-')), 'report.json');
      const app = launch({
        main: join(resources, 'app.asar', 'dist', 'main', 'main.js'),
        packaged: true,
        resourcesPath: resources,
        execPath: join(appOutDir, 'loupe'),
        appData: mkdtempSync(join(work, 'appdata-')),
        env: { LOUPE_SMOKE_REPORT: report, ...env },
      });
      await app.send({ type: 'ready' });
      const exit = await app.exited;
      return { exit, report: JSON.parse(readFileSync(report, 'utf8')) as SmokeReport, app };
    };

    it("opens the vault, round-trips the keychain, prepares a photo with sharp's WebAssembly build from inside the asar, reads the fuses, exits 0", async () => {
      const { exit, report, app } = await smoke();
      expect(exit, app.output()).toMatchObject({ requested: 0, code: 0 });
      expect(report.failures).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.app).toMatchObject({ packaged: true, platform: 'linux', executable: join(appOutDir, 'loupe') });
      expect(report.keychain).toMatchObject({
        available: true,
        backend: 'gnome_libsecret',
        keyTag: 'v11',
        roundTrip: true,
        vaultStorage: 'keychain',
      });
      expect(report.sharp).toMatchObject({ expected: 'wasm', loaded: 'wasm', insideAsar: true });
      expect(report.sharp.binding).toContain(join('app.asar', 'node_modules', '@img', 'sharp-wasm32'));
      expect(report.photo).toMatchObject({ path: join(resources, 'icons', 'app.png'), staged: true, problem: null });
      expect(report.photo.previewBytes).toBeGreaterThan(500);
      expect(report.fuses).toMatchObject({
        read: true,
        wire: {
          RunAsNode: 'disabled',
          EnableCookieEncryption: 'enabled',
          EnableNodeOptionsEnvironmentVariable: 'disabled',
          EnableNodeCliInspectArguments: 'disabled',
          EnableEmbeddedAsarIntegrityValidation: 'enabled',
          OnlyLoadAppFromAsar: 'enabled',
          GrantFileProtocolExtraPrivileges: 'disabled',
        },
      });
      // Harmless: no window, no tray, and the person's data folder untouched (its data went beside the report).
      expect(exit.last?.windows).toEqual([]);
      expect(exit.last?.trays).toEqual([]);
      expect(existsSync(join(app.userData, 'settings.json'))).toBe(false);
      // And it passes what CI asserts on a real packaged app's report.
      expect(smokeProblems(report, 'linux')).toEqual([]);
    });

    it('says what failed and exits 1 when a check fails (a photo that is not there)', async () => {
      const { exit, report } = await smoke({ LOUPE_SMOKE_PHOTO: join(work, 'no-such-photo.jpg') });
      expect(exit).toMatchObject({ requested: 1, code: 1 });
      expect(report.ok).toBe(false);
      expect(report.failures).toEqual([expect.stringMatching(/^photo: not prepared/)]);
      expect(report.keychain.roundTrip).toBe(true);
    });
  });
});

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('packaging configuration', () => {
  it('locks the binary down with the fuses', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
      enableCookieEncryption: true,
    });
  });

  it('macOS: menu-bar app, hardened runtime, only the JIT entitlement, the arch in every file name', () => {
    expect(config.mac).toMatchObject({ target: ['dmg', 'zip'], hardenedRuntime: true, extendInfo: { LSUIElement: true } });
    expect(config.mac?.artifactName).toContain('${arch}');
    const entitlements = readFileSync(join(repo, String(config.mac?.entitlements)), 'utf8');
    const keys = [...entitlements.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1]);
    expect(keys).toEqual(['com.apple.security.cs.allow-jit']);
  });

  it('Linux: deb (it installs the AppArmor profile Ubuntu 24.04 needs) and AppImage; the deb has what fpm requires; the toolchain’s Node is stated', () => {
    expect(config.linux).toMatchObject({ target: ['deb', 'AppImage'] });
    expect(String(config.linux?.maintainer)).toMatch(/<[^@>]+@[^>]+>/);
    expect(pkg.homepage ?? pkg.repository).toBeTruthy();
    expect(pkg.author?.email).toMatch(/@/);
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
