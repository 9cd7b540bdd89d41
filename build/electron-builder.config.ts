/**
 * electron-builder's configuration (`npm run dist`, and the workflows in
 * .github/workflows). One function of the environment, so that a release and
 * a fork's or a developer's build differ in exactly the settings below and a
 * test can read both:
 *
 * - `LOUPE_RELEASE=true` (the release workflow only): refuse to build
 *   unsigned (`forceCodeSigning`), notarize on macOS, and require the two
 *   settings that make updates safe (the feed and Windows' publisher name).
 * - `LOUPE_UPDATE_REPOSITORY=owner/name`: the one update-feed setting. The
 *   release workflow fills it with its own repository; without it no
 *   app-update.yml is written and the build never updates itself, so a fork's
 *   build cannot pull our releases (or we its).
 * - `LOUPE_WIN_PUBLISHER`: the signing certificate's subject name, exactly.
 *   electron-builder writes it into app-update.yml and electron-updater's
 *   NsisUpdater refuses an update whose Authenticode signature names another
 *   publisher (`verifyUpdateCodeSignature`, on by default).
 * - `AZURE_TRUSTED_SIGNING_ENDPOINT`, `…_ACCOUNT`, `…_PROFILE`: Windows signs
 *   with Azure Trusted Signing (credentials from AZURE_TENANT_ID,
 *   AZURE_CLIENT_ID, AZURE_CLIENT_SECRET); otherwise with the Authenticode
 *   certificate in WIN_CSC_LINK / WIN_CSC_KEY_PASSWORD (signtool).
 * - macOS signs with the Developer ID certificate in CSC_LINK /
 *   CSC_KEY_PASSWORD and notarizes with APPLE_API_KEY, APPLE_API_KEY_ID,
 *   APPLE_API_ISSUER (electron-builder reads these itself; `mac.notarize`).
 *
 * README "Before a release" lists what an owner sets; build/check-package.ts
 * checks what a build contains.
 */
import type { Configuration } from 'electron-builder';

export type BuildEnv = Partial<Record<string, string | undefined>>;

/** The app's id: Windows groups notifications and taskbar entries by it (main.ts sets the same AppUserModelID). */
export const APP_ID = 'app.loupe.desktop';

/** sharp's prebuilt packages by OS; each build keeps its own and drops the rest (sharp-wasm32 is Linux's). */
const SHARP_NATIVE = {
  darwin: ['@img/sharp-darwin-*', '@img/sharp-libvips-darwin-*'],
  linux: ['@img/sharp-linux*', '@img/sharp-libvips-linux*'],
  win32: ['@img/sharp-win32-*'],
  wasm: ['@img/sharp-wasm32', '@emnapi/*'],
} as const;

const exclude = (packages: readonly string[]) => packages.map((p) => `!node_modules/${p}/**`);

/**
 * What goes into app.asar. Licence files stay (every dependency's LICENSE,
 * whatever its extension); READMEs, changelogs, sources, tests and maps go.
 */
const COMMON_FILES = [
  'dist/**/*',
  '!dist/**/*.map',
  'package.json',
  'LICENSE',
  '!**/*.{map,ts,mts,cts,tsx}',
  '!**/node_modules/**/{README,Readme,readme,CHANGELOG,Changelog,changelog,HISTORY,History,history,CONTRIBUTING,SECURITY}*',
  '!**/node_modules/*/{test,tests,__tests__,docs,doc,example,examples,src}/**',
  '!**/node_modules/@*/*/{test,tests,__tests__,docs,doc,example,examples,src}/**',
];

/**
 * Only native code is unpacked beside the asar: the dynamic loader cannot read
 * from inside an archive. sharp's JavaScript and its WebAssembly build stay in
 * the integrity-checked asar (onlyLoadAppFromAsar + asar integrity); Electron
 * reads worker_threads scripts from an asar since electron/electron#33216, which
 * the WebAssembly build's pthread workers need (the packaged smoke test loads
 * it from there on Linux).
 */
export const ASAR_UNPACK = ['**/*.node', '**/*.dll', '**/*.dylib', '**/*.so', '**/*.so.*'];

export function builderConfig(env: BuildEnv = process.env): Configuration {
  const release = env.LOUPE_RELEASE === 'true';
  const feed = updateFeed(env.LOUPE_UPDATE_REPOSITORY);
  const publisherName = env.LOUPE_WIN_PUBLISHER?.trim() || undefined;
  if (release && !feed) throw new Error('A release build needs LOUPE_UPDATE_REPOSITORY=owner/name (the update feed).');
  if (release && !publisherName)
    throw new Error('A release build needs LOUPE_WIN_PUBLISHER (the signing certificate subject, for update verification).');
  const azure =
    env.AZURE_TRUSTED_SIGNING_ENDPOINT && env.AZURE_TRUSTED_SIGNING_ACCOUNT && env.AZURE_TRUSTED_SIGNING_PROFILE && publisherName
      ? {
          publisherName,
          endpoint: env.AZURE_TRUSTED_SIGNING_ENDPOINT,
          codeSigningAccountName: env.AZURE_TRUSTED_SIGNING_ACCOUNT,
          certificateProfileName: env.AZURE_TRUSTED_SIGNING_PROFILE,
        }
      : undefined;

  return {
    appId: APP_ID,
    productName: 'Loupe',
    copyright: 'Copyright © Loupe maintainers',
    directories: { output: 'out', buildResources: 'build' },
    asar: true,
    asarUnpack: ASAR_UNPACK,
    files: COMMON_FILES,
    extraResources: [{ from: 'build/icons', to: 'icons', filter: ['*.png'] }],
    npmRebuild: false,
    // Forks and local builds stay unsigned and build; a release refuses to.
    forceCodeSigning: release,
    electronFuses: {
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
      enableCookieEncryption: true,
    },
    publish: feed ? [{ provider: 'github', owner: feed.owner, repo: feed.repo, releaseType: 'draft' }] : null,
    mac: {
      category: 'public.app-category.photography',
      icon: 'build/icons/app.png',
      target: ['dmg', 'zip'],
      // One build per arch (see .github/workflows): the arch in every file name, so the two never collide.
      artifactName: '${productName}-${version}-${arch}.${ext}',
      hardenedRuntime: true,
      gatekeeperAssess: false,
      notarize: release,
      entitlements: 'build/entitlements.mac.plist',
      entitlementsInherit: 'build/entitlements.mac.plist',
      extendInfo: { LSUIElement: true },
      files: [...COMMON_FILES, ...exclude([...SHARP_NATIVE.linux, ...SHARP_NATIVE.win32, ...SHARP_NATIVE.wasm])],
    },
    win: {
      icon: 'build/icons/app.png',
      target: ['nsis'],
      files: [...COMMON_FILES, ...exclude([...SHARP_NATIVE.linux, ...SHARP_NATIVE.darwin, ...SHARP_NATIVE.wasm])],
      ...(azure ? { azureSignOptions: azure } : publisherName ? { signtoolOptions: { publisherName } } : {}),
    },
    nsis: { oneClick: true, perMachine: false },
    linux: {
      icon: 'build/icons/app.png',
      // deb first: it installs an AppArmor profile, which Ubuntu 24.04+ needs for Chromium's sandbox (README, Troubleshooting).
      target: ['deb', 'AppImage'],
      category: 'Graphics',
      maintainer: 'Loupe maintainers <maintainers@loupe.app>',
      synopsis: 'Analyse photos with OpenAI vision models from the tray',
      // Native sharp crashes inside Electron on Linux (electron/shell/image-backend.ts): WebAssembly only.
      files: [...COMMON_FILES, ...exclude([...SHARP_NATIVE.linux, ...SHARP_NATIVE.darwin, ...SHARP_NATIVE.win32])],
    },
  };
}

/** `owner/name` → the GitHub feed; anything else is no feed. */
export function updateFeed(repository: string | undefined): { owner: string; repo: string } | null {
  const match = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(repository?.trim() ?? '');
  return match ? { owner: match[1]!, repo: match[2]! } : null;
}

export default builderConfig();
