/**
 * Preparation sized for the model (issue #12): a photo read once (bytes and
 * hash from one read), prepared to the box its model family will see, and the
 * engine uploading exactly that size to the stand-in.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { targetSize } from '../../../electron/core/analysis/input/image-sizing';
import { prepareImage } from '../../../electron/core/analysis/input/prepare';
import { readPhoto } from '../../../electron/core/analysis/input/read-once';
import { DEFAULT_MODELS } from '../../servers/openai/openai-api';
import {
  imageWidth,
  isSettled,
  makePhoto,
  openEngine,
  responsesRequests,
  signedInStandIns,
  tempDir,
  waitForJob,
} from '../../support/analysis-fixture';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('preparation', () => {
  it('prepares to the box it is given, from bytes already read; the hash is of the same read', async () => {
    const dir = await tempDir('loupe-sizing-');
    cleanups.push(() => dir.remove());
    const path = join(dir.path, 'p.jpg');
    await makePhoto(path, 1200, 900, 7);
    const read = await readPhoto(path, { maxBytes: 50 * 1024 * 1024 });
    expect(read.sha256).toBe(
      createHash('sha256')
        .update(await readFile(path))
        .digest('hex'),
    );
    const prepared = await prepareImage(path, { source: read.data, fitTo: (w, h) => targetSize('gpt-4.1', 'auto', w, h) });
    expect([prepared.width, prepared.height]).toEqual([1024, 768]);
    const small = await readPhoto(path, { maxBytes: 10 });
    expect(small.data).toBeUndefined();
    expect(small.sha256).toBe(read.sha256);
  });

  it('the engine uploads the size the model will see', async () => {
    const models = [
      ...DEFAULT_MODELS,
      {
        slug: 'gpt-4.1',
        display_name: 'GPT-4.1',
        visibility: 'list' as const,
        input_modalities: ['text', 'image'],
        priority: 5,
        supported_in_api: true,
      },
    ];
    const signedIn = await signedInStandIns({ models });
    const dir = await tempDir('loupe-sizing-');
    cleanups.push(
      () => dir.remove(),
      () => signedIn.close(),
    );
    await mkdir(join(dir.path, 'in'));
    await makePhoto(join(dir.path, 'in', 'a.jpg'), 2400, 1800, 1);
    const h = await openEngine(signedIn, join(dir.path, 'data'));
    cleanups.push(() => h.engine.dispose());
    for (const [model, width] of [
      ['gpt-4.1', 1024],
      ['gpt-6.1-sol', 1536],
    ] as const) {
      const before = responsesRequests(signedIn.stack).length;
      const id = await h.engine.createJob({
        paths: [join(dir.path, 'in')],
        preset: 'describe',
        model,
        detail: 'auto',
        outputDir: join(dir.path, `out-${model}`),
      });
      await waitForJob(h.engine, id, isSettled);
      const sent = responsesRequests(signedIn.stack)
        .slice(before)
        .filter((r) => r.status === 200);
      expect(sent.map(imageWidth)).toEqual([width]);
    }
  });
});
