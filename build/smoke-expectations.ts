/**
 * What a packaged app's smoke report (electron/shell/smoke.ts) must show, per
 * OS: the fuses as build/electron-builder.config.ts flips them, a keychain
 * round trip through the OS keychain (Linux: a key from the keyring, not the
 * hard-coded one), the vault opened on it, sharp's build for that OS loaded
 * from inside the package, a prepared photo. build/smoke.ts applies it to the
 * real packaged app in CI; test/electron/packaged-layout.test.ts to the
 * stand-in build here. Returns the problems, empty when the report passes.
 */
import type { SmokeReport } from '../electron/shell/smoke';
import { builderConfig } from './electron-builder.config';

/** electron-builder's fuse option → @electron/fuses' FuseV1Options name. */
const FUSE_NAMES: Record<string, string> = {
  runAsNode: 'RunAsNode',
  enableCookieEncryption: 'EnableCookieEncryption',
  enableNodeOptionsEnvironmentVariable: 'EnableNodeOptionsEnvironmentVariable',
  enableNodeCliInspectArguments: 'EnableNodeCliInspectArguments',
  enableEmbeddedAsarIntegrityValidation: 'EnableEmbeddedAsarIntegrityValidation',
  onlyLoadAppFromAsar: 'OnlyLoadAppFromAsar',
  loadBrowserProcessSpecificV8Snapshot: 'LoadBrowserProcessSpecificV8Snapshot',
  grantFileProtocolExtraPrivileges: 'GrantFileProtocolExtraPrivileges',
};

export function smokeProblems(report: SmokeReport, platform: NodeJS.Platform): string[] {
  const problems: string[] = [...report.failures];
  if (!report.ok) problems.push('the report says it failed');
  if (!report.app.packaged) problems.push('not a packaged build');

  const keychain = report.keychain;
  const backend = platform === 'linux' ? ['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6'] : [platform === 'darwin' ? 'keychain' : 'dpapi'];
  if (!keychain.roundTrip) problems.push(`keychain: no round trip (${keychain.error ?? 'unknown'})`);
  if (!backend.includes(keychain.backend)) problems.push(`keychain: backend ${keychain.backend}, expected ${backend.join(' or ')}`);
  if (platform === 'linux' && keychain.keyTag !== 'v11' && keychain.keyTag !== 'v12')
    problems.push(`keychain: key tag ${keychain.keyTag}, not a keyring key`);
  if (keychain.vaultStorage !== 'keychain') problems.push(`vault: stored in ${keychain.vaultStorage}, expected the keychain`);

  const sharp = report.sharp;
  const expected = platform === 'linux' ? 'wasm' : 'native';
  if (sharp.loaded !== expected) problems.push(`sharp: loaded ${sharp.loaded ?? 'nothing'}, expected ${expected}`);
  if (expected === 'wasm' && !sharp.insideAsar) problems.push(`sharp: the WebAssembly build was not loaded from inside app.asar (${sharp.binding})`);
  if (expected === 'native' && !sharp.binding?.includes('app.asar.unpacked'))
    problems.push(`sharp: the native binding is not the unpacked one (${sharp.binding})`);

  if (!report.photo.staged || report.photo.previewBytes === 0) problems.push(`photo: not prepared (${report.photo.problem ?? report.photo.error})`);

  if (!report.fuses.read) problems.push(`fuses: not read (${report.fuses.error})`);
  else {
    for (const [option, on] of Object.entries(builderConfig({}).electronFuses ?? {})) {
      const name = FUSE_NAMES[option];
      if (!name || typeof on !== 'boolean') continue;
      const state = report.fuses.wire[name];
      if (state !== (on ? 'enabled' : 'disabled')) problems.push(`fuses: ${name} is ${state}, expected ${on ? 'enabled' : 'disabled'}`);
    }
  }
  return problems;
}
