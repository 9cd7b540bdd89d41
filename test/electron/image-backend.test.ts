/**
 * Photo preparation through sharp's WebAssembly build, selected the way the
 * app selects it under Electron on Linux (the hook in
 * electron/shell/image-backend.ts, installed before sharp loads), gives the
 * same outcomes as the native build: orientation applied, metadata stripped,
 * size limits, decompression bombs refused. Each backend runs in its own
 * child process because a process loads sharp once.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { repo } from './simulated-app';

interface Outcome {
  ok: boolean;
  code?: string;
  mime?: string;
  width?: number;
  height?: number;
  sourceWidth?: number;
  sourceHeight?: number;
  notes?: string[];
  data?: string;
}
interface Run {
  backend: 'wasm' | 'native';
  results: Record<'rotated' | 'gps' | 'resized' | 'tooLarge' | 'bomb', Outcome>;
}

async function prepareWith(mode: 'wasm' | 'native'): Promise<Run> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(repo, 'test/electron/prepare-with-backend.ts'), mode], {
    cwd: repo,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as Run;
}

const pixel = async (base64: string, x: number, y: number) => {
  const { data, info } = await sharp(Buffer.from(base64, 'base64')).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [...data.subarray(at, at + 3)];
};
const near = (actual: number[], expected: number[]) => actual.every((v, i) => Math.abs(v - expected[i]!) <= 40);

describe('photo preparation with the WebAssembly build of sharp', () => {
  let wasm: Run;
  let native: Run;
  beforeAll(async () => {
    [wasm, native] = await Promise.all([prepareWith('wasm'), prepareWith('native')]);
  });

  it('the app’s hook really selects the WebAssembly build (and without it, the native one)', () => {
    expect(wasm.backend).toBe('wasm');
    expect(native.backend).toBe('native');
  });

  it('applies EXIF orientation (checked by pixel)', async () => {
    const r = wasm.results.rotated;
    expect(r).toMatchObject({ ok: true, mime: 'image/jpeg', width: 200, height: 300, sourceWidth: 200, sourceHeight: 300 });
    expect(r.notes).toContain('EXIF orientation applied');
    expect(near(await pixel(r.data!, 100, 75), [255, 0, 0])).toBe(true);
    expect(near(await pixel(r.data!, 100, 225), [0, 0, 255])).toBe(true);
    expect(near(await pixel(r.data!, 180, 20), [255, 255, 0])).toBe(true);
  });

  it('strips every piece of metadata', async () => {
    for (const r of [wasm.results.gps, wasm.results.rotated]) {
      const data = Buffer.from(r.data!, 'base64');
      const meta = await sharp(data).metadata();
      expect(meta.exif).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
      expect(meta.icc).toBeUndefined();
      expect(meta.orientation).toBeUndefined();
      for (const needle of ['SERIAL-4815162342', 'Jane Fixture', 'LoupeTestCam', 'Exif\0\0', 'http://ns.adobe.com/', 'ICC_PROFILE']) {
        expect(data.includes(needle, 0, 'latin1'), needle).toBe(false);
      }
    }
  });

  it('keeps to the size limits and refuses a decompression bomb', () => {
    expect(wasm.results.resized).toMatchObject({ ok: true, width: 512, height: 341 });
    expect(wasm.results.tooLarge).toEqual({ ok: false, code: 'image_too_large' });
    expect(wasm.results.bomb).toEqual({ ok: false, code: 'image_too_many_pixels' });
  });

  it('gives the same outcomes as the native build', () => {
    const summary = (run: Run) => Object.fromEntries(Object.entries(run.results).map(([name, { data: _data, ...rest }]) => [name, rest]));
    expect(summary(wasm)).toEqual(summary(native));
  });
});
