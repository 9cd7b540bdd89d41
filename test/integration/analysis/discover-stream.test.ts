/**
 * Discovery streams: what it finds comes out a folder batch at a time, in
 * the same order as the whole list, so a job takes its photos in as they are
 * found; the per-job cap holds across batches.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { discoverInputs, discoverStream } from '../../../electron/core/analysis/input/discover';
import { findItems } from '../../../electron/core/analysis/runs/new-job';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-stream-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** JPEG signature bytes are all discovery reads (it never decodes). */
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(60)]);

async function folder(photos: number, texts: number): Promise<void> {
  await mkdir(join(dir, 'sub'));
  for (let i = 1; i <= photos; i++) await writeFile(join(dir, i % 2 ? '' : 'sub', `p${String(i).padStart(3, '0')}.jpg`), JPEG);
  for (let i = 1; i <= texts; i++) await writeFile(join(dir, `note${i}.txt`), 'just some text\n');
}

it('yields more than one batch for a folder larger than a batch, in the order of the whole list', async () => {
  await folder(150, 3);
  const batches = [];
  for await (const found of discoverStream([dir])) batches.push(found);
  expect(batches.length).toBeGreaterThan(2);
  const whole = await discoverInputs([dir]);
  expect(batches.flatMap((b) => b.files)).toEqual(whole.files);
  expect(batches.flatMap((b) => b.skipped)).toEqual(whole.skipped);
  expect(whole.files).toHaveLength(150);
  expect(whole.skipped).toHaveLength(3);
});

it('the cap holds across batches, and one skipped entry says where it stopped', async () => {
  await folder(100, 0);
  const whole = await discoverInputs([dir], { maxFiles: 70 });
  expect(whole.files).toHaveLength(70);
  expect(whole.skipped).toHaveLength(1);
  expect(whole.skipped[0]!.reason).toMatch(/at most 70 images/);
});

it('a job’s items: photos as found, numbered in order, then what was left out', async () => {
  await folder(40, 2);
  const found = await findItems([dir], 100_000);
  expect(found.photos).toBe(40);
  expect(found.items.map((i) => i.id)).toEqual(Array.from({ length: 42 }, (_, i) => `i${i + 1}`));
  expect(found.items.slice(0, 40).every((i) => i.status === 'pending')).toBe(true);
  expect(found.items.slice(40).map((i) => [i.status, i.error?.code])).toEqual([
    ['skipped', 'skipped'],
    ['skipped', 'skipped'],
  ]);
  expect(found.items.slice(0, 40).map((i) => i.path)).toEqual((await discoverInputs([dir])).files.map((f) => f.path));
});
