import { describe, expect, it } from 'vitest';
import { chooseImageBackend, isNativeLinuxSharp, loadedImageBackend } from '../../../electron/shell/image-backend';

describe('image backend choice', () => {
  it('uses WebAssembly exactly inside Electron on Linux', () => {
    expect(chooseImageBackend('linux', true)).toBe('wasm');
    expect(chooseImageBackend('linux', false)).toBe('native');
    expect(chooseImageBackend('darwin', true)).toBe('native');
    expect(chooseImageBackend('win32', true)).toBe('native');
  });

  it("refuses sharp's native Linux packages and nothing else", () => {
    for (const name of [
      '@img/sharp-linux-x64/sharp.node',
      '@img/sharp-linuxmusl-arm64/sharp.node',
      '@img/sharp-libvips-linux-x64/package',
      '@img/sharp-linux-arm64',
    ]) {
      expect(isNativeLinuxSharp(name), name).toBe(true);
    }
    for (const name of [
      '@img/sharp-wasm32/sharp.node',
      '@img/sharp-darwin-arm64/sharp.node',
      '@img/sharp-win32-x64/sharp.node',
      'sharp',
      '@img/colour',
      'linux',
    ]) {
      expect(isNativeLinuxSharp(name), name).toBe(false);
    }
  });

  it('reads what sharp loaded from its versions', () => {
    expect(loadedImageBackend({ vips: '8.18.7', emscripten: '6.0.10' })).toBe('wasm');
    expect(loadedImageBackend({ vips: '8.18.7' })).toBe('native');
  });
});
