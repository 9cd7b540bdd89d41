/**
 * Shared by the input tests (one file per module of electron/core/analysis/input/),
 * which run against real files and real sharp. The fixtures are described in
 * test/fixtures/README.md; symbolic links, hidden files and unreadable files are
 * made in a temp folder per test, because git does not carry them reliably.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterEach, beforeEach, expect } from 'vitest';
import { LoupeError } from '../../../../electron/core/kernel/errors';

const fixtures = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
export const fx = (rel: string) => join(fixtures, rel);

/** A fresh temp folder for each test, handed to `use`; removed after the test. */
export function useTempDir(use: (dir: string) => void): void {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-input-'));
    use(dir);
  });
  afterEach(async () => {
    // Undo chmod 000 so the temp folder can be removed.
    await chmod(dir, 0o700).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });
}

/** The error a promise rejects with, asserted to be a LoupeError. */
export async function loupeError(promise: Promise<unknown>): Promise<LoupeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LoupeError);
  return error as LoupeError;
}

/** RGB(A) of one pixel of an encoded image. */
export async function pixelAt(data: Buffer, x: number, y: number): Promise<number[]> {
  const { data: raw, info } = await sharp(data).raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [...raw.subarray(i, i + info.channels)];
}

export function expectColour(actual: number[], expected: number[], tolerance = 40): void {
  expected.forEach((value, channel) =>
    expect(Math.abs(actual[channel]! - value), `channel ${channel} of ${actual.join(',')} vs ${expected.join(',')}`).toBeLessThanOrEqual(tolerance),
  );
}

export async function dataUrlSize(url: string): Promise<{ width: number; height: number; format: string }> {
  expect(url).toMatch(/^data:image\/jpeg;base64,/);
  const meta = await sharp(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64')).metadata();
  return { width: meta.width, height: meta.height, format: meta.format };
}
