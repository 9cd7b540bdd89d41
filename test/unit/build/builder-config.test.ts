/**
 * build/electron-builder.config.ts: what a release build insists on, and what a fork's or a developer's
 * build leaves out, from the same function of the environment.
 */
import { describe, expect, it } from 'vitest';
import { builderConfig, updateFeed } from '../../../build/electron-builder.config';

const release = { LOUPE_RELEASE: 'true', LOUPE_UPDATE_REPOSITORY: 'loupe-app/loupe', LOUPE_WIN_PUBLISHER: 'Loupe Maintainers Ltd' };

describe('electron-builder configuration', () => {
  it('a local or fork build: unsigned allowed, no notarization, no update feed', () => {
    const config = builderConfig({});
    expect(config.forceCodeSigning).toBe(false);
    expect(config.mac?.notarize).toBe(false);
    expect(config.publish).toBeNull();
    expect(config.win).not.toHaveProperty('signtoolOptions');
    expect(config.win).not.toHaveProperty('azureSignOptions');
  });

  it('a release refuses to build unsigned, notarizes, and updates from its repository with the publisher checked', () => {
    const config = builderConfig(release);
    expect(config.forceCodeSigning).toBe(true);
    expect(config.mac?.notarize).toBe(true);
    expect(config.publish).toEqual([{ provider: 'github', owner: 'loupe-app', repo: 'loupe', releaseType: 'draft' }]);
    expect(config.win).toMatchObject({ signtoolOptions: { publisherName: 'Loupe Maintainers Ltd' } });
  });

  it('Azure Trusted Signing when its three settings are there', () => {
    const config = builderConfig({
      ...release,
      AZURE_TRUSTED_SIGNING_ENDPOINT: 'https://weu.codesigning.azure.net',
      AZURE_TRUSTED_SIGNING_ACCOUNT: 'loupe',
      AZURE_TRUSTED_SIGNING_PROFILE: 'loupe-public',
    });
    expect(config.win).toMatchObject({
      azureSignOptions: {
        publisherName: 'Loupe Maintainers Ltd',
        endpoint: 'https://weu.codesigning.azure.net',
        codeSigningAccountName: 'loupe',
        certificateProfileName: 'loupe-public',
      },
    });
    expect(config.win).not.toHaveProperty('signtoolOptions');
  });

  it('a release without the feed or the publisher name does not build', () => {
    expect(() => builderConfig({ ...release, LOUPE_UPDATE_REPOSITORY: '' })).toThrow(/LOUPE_UPDATE_REPOSITORY/);
    expect(() => builderConfig({ ...release, LOUPE_WIN_PUBLISHER: ' ' })).toThrow(/LOUPE_WIN_PUBLISHER/);
  });

  it('the feed setting is owner/name and nothing else', () => {
    expect(updateFeed('loupe-app/loupe')).toEqual({ owner: 'loupe-app', repo: 'loupe' });
    for (const bad of ['loupe', 'https://github.com/loupe-app/loupe', 'a/b/c', '../x', undefined]) expect(updateFeed(bad)).toBeNull();
  });

  it('unpacks native code only; each OS keeps its own sharp', () => {
    const config = builderConfig({});
    expect(config.asarUnpack).toEqual(['**/*.node', '**/*.dll', '**/*.dylib', '**/*.so', '**/*.so.*']);
    expect(config.mac?.files).toEqual(
      expect.arrayContaining(['!node_modules/@img/sharp-wasm32/**', '!node_modules/@img/sharp-linux*/**', '!node_modules/@img/sharp-win32-*/**']),
    );
    expect(config.win?.files).toEqual(expect.arrayContaining(['!node_modules/@img/sharp-wasm32/**', '!node_modules/@img/sharp-darwin-*/**']));
    expect(config.linux?.files).toEqual(expect.arrayContaining(['!node_modules/@img/sharp-linux*/**', '!node_modules/@img/sharp-darwin-*/**']));
  });
});
