/**
 * electron/core/analysis/input/discover.ts against real files: what counts as
 * an image from its first bytes, and discovery of dropped files and folders.
 */
import { chmod, copyFile, cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { checkImageHead, discoverInputs, sniffImageType } from '../../../../electron/core/analysis/input/discover';
import { prepareImage } from '../../../../electron/core/analysis/input/prepare';
import { fx, loupeError, useTempDir } from './support';

let dir: string;
useTempDir((path) => (dir = path));

describe('sniffImageType', () => {
  const ftyp = (major: string, ...compatible: string[]) =>
    Buffer.concat([Buffer.from([0, 0, 0, 16 + 4 * compatible.length]), Buffer.from(`ftyp${major}\0\0\0\0${compatible.join('')}`, 'latin1')]);
  const bmp = Buffer.alloc(54);
  bmp.write('BM', 0, 'latin1');
  bmp.writeUInt32LE(40, 14);

  it.each([
    ['jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10])],
    ['png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])],
    ['gif', Buffer.from('GIF89a\x01\x00', 'latin1')],
    ['webp', Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1')],
    ['avif', ftyp('avif', 'mif1', 'miaf')],
    ['avif', ftyp('mif1', 'avif')],
    ['heic', ftyp('heic', 'mif1', 'heic')],
    ['heif', ftyp('mif1', 'mif1')],
    ['tiff', Buffer.from([0x49, 0x49, 0x2a, 0, 8, 0, 0, 0])],
    ['tiff', Buffer.from([0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8])],
    ['bmp', bmp],
  ])('recognises %s', (type, head) => {
    expect(sniffImageType(head)).toBe(type);
  });

  it.each([
    ['text', Buffer.from('BMW service notes: oil changed.')],
    ['an MP4 video', ftyp('isom', 'iso2', 'mp41')],
    ['a PDF', Buffer.from('%PDF-1.7\n')],
    ['nothing', Buffer.alloc(0)],
  ])('returns null for %s', (_name, head) => {
    expect(sniffImageType(head)).toBeNull();
  });

  it('gives a reason a person understands for what it refuses', () => {
    expect(checkImageHead(Buffer.from('hello\n'))).toEqual({ ok: false, reason: 'Not an image Loupe can read (text file).' });
    expect(checkImageHead(Buffer.from('%PDF-1.7\n'))).toEqual({ ok: false, reason: 'Not an image Loupe can read (PDF document).' });
    expect(checkImageHead(bmp)).toMatchObject({ ok: false, reason: expect.stringMatching(/BMP images aren’t supported/) });
    expect(checkImageHead(Buffer.alloc(0))).toEqual({ ok: false, reason: 'The file is empty.' });
    // The prebuilt sharp has no HEVC decoder, so HEIC is refused up front with a way out.
    if (!sharp.format.heif.input.fileSuffix?.includes('.heic')) {
      expect(checkImageHead(ftyp('heic', 'mif1', 'heic'))).toMatchObject({ ok: false, reason: expect.stringMatching(/HEIC .*Export it as JPEG/) });
    }
    expect(checkImageHead(ftyp('avif', 'mif1'))).toEqual({ ok: true, format: 'avif' });
  });
});

describe('discoverInputs', () => {
  /** A copy of fixtures/folder plus what git cannot carry: a symlink loop and hidden files. */
  async function droppedFolder(): Promise<string> {
    const root = join(dir, 'folder');
    await cp(fx('folder'), root, { recursive: true });
    await symlink('..', join(root, 'sub', 'loop'));
    await writeFile(join(root, '.DS_Store'), Buffer.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]));
    await copyFile(fx('good/04-shapes.png'), join(root, '.hidden-photo.png'));
    await writeFile(join(root, 'sub', 'Thumbs.db'), Buffer.alloc(16));
    return root;
  }

  if (process.platform === 'win32')
    console.info(
      'analysis-input: skipping the symlink and permission discovery tests: Windows needs admin rights for symbolic links and has no POSIX modes.',
    );
  it.skipIf(process.platform === 'win32')(
    'recurses, skips the text file with a reason, reports the loop once, lists hidden files as skipped',
    async () => {
      const root = await droppedFolder();
      const result = await discoverInputs([root]);
      expect(result.files).toEqual([
        { path: join(root, 'a-first.jpg'), size: (await readFile(join(root, 'a-first.jpg'))).length },
        { path: join(root, 'sub', 'b-second.png'), size: (await readFile(join(root, 'sub', 'b-second.png'))).length },
      ]);
      // Hidden entries are never analysed, and never dropped without a word (discover-hidden.test.ts has the rest).
      const hidden = expect.stringMatching(/^Hidden \(the name starts with a dot\)/);
      expect(result.skipped).toEqual(
        expect.arrayContaining([
          { path: join(root, '.DS_Store'), reason: hidden },
          { path: join(root, '.hidden-photo.png'), reason: hidden },
          { path: join(root, 'notes.txt'), reason: 'Not an image Loupe can read (text file).' },
          { path: join(root, 'sub', 'loop'), reason: expect.stringMatching(/^Folder loop via symbolic link/) },
        ]),
      );
      expect(result.skipped).toHaveLength(4);
      expect(JSON.stringify(result)).not.toMatch(/Thumbs/);
    },
  );

  it('orders naturally and stably, folders in place among files', async () => {
    const png = await readFile(fx('folder/sub/b-second.png'));
    for (const name of ['img10.png', 'img2.png', 'img1.png', 'B.png', 'a.png', 'n.png', 'l.png', join('m', 'x.png'), join('m', 'a.png')]) {
      await mkdir(join(dir, 'drop', name, '..'), { recursive: true });
      await writeFile(join(dir, 'drop', name), png);
    }
    const expected = ['a.png', 'B.png', 'img1.png', 'img2.png', 'img10.png', 'l.png', join('m', 'a.png'), join('m', 'x.png'), 'n.png'].map((n) =>
      join(dir, 'drop', n),
    );
    expect((await discoverInputs([join(dir, 'drop')])).files.map((f) => f.path)).toEqual(expected);
    expect((await discoverInputs([join(dir, 'drop')])).files.map((f) => f.path)).toEqual(expected);
  });

  it('keeps dropped files in drop order, takes hidden ones when dropped explicitly, and lists each file once', async () => {
    const a = fx('good/03-portrait.jpg');
    const b = fx('good/01-sunset.jpg');
    const hidden = join(dir, '.explicit.png');
    await copyFile(fx('good/04-shapes.png'), hidden);
    const result = await discoverInputs([a, b, hidden, fx('good'), a]);
    expect(result.files.map((f) => f.path)).toEqual([a, b, hidden, fx('good/02-meadow.webp'), fx('good/04-shapes.png'), fx('good/05-harbour.webp')]);
    expect(result.skipped).toEqual([]);
  });

  it('reports every bad input with a reason and never throws', async () => {
    const bmp = Buffer.alloc(64);
    bmp.write('BM', 0, 'latin1');
    bmp.writeUInt32LE(40, 14);
    await writeFile(join(dir, 'old.bmp'), bmp);
    const result = await discoverInputs([fx('bad'), join(dir, 'old.bmp'), join(dir, 'missing.jpg')]);
    // Only the files whose first bytes look like images go on to prepare, which refuses them there.
    expect(result.files.map((f) => f.path)).toEqual([fx('bad/huge-20000x20000.png'), fx('bad/truncated.jpg')]);
    expect(result.skipped).toEqual([
      { path: fx('bad/empty.jpg'), reason: 'The file is empty.' },
      { path: fx('bad/not-an-image.txt'), reason: 'Not an image Loupe can read (text file).' },
      { path: fx('bad/text-renamed.jpg'), reason: 'Not an image Loupe can read (text file).' },
      { path: join(dir, 'old.bmp'), reason: expect.stringMatching(/^BMP images aren’t supported/) },
      { path: join(dir, 'missing.jpg'), reason: 'Not found. It may have been moved or deleted.' },
    ]);
  });

  it.skipIf(process.platform === 'win32')('follows symbolic links to photos and reports broken ones', async () => {
    await mkdir(join(dir, 'drop'));
    await symlink(fx('good/01-sunset.jpg'), join(dir, 'drop', 'linked.jpg'));
    await symlink(join(dir, 'nowhere.jpg'), join(dir, 'drop', 'broken.jpg'));
    const result = await discoverInputs([join(dir, 'drop')]);
    expect(result.files).toEqual([{ path: join(dir, 'drop', 'linked.jpg'), size: (await readFile(fx('good/01-sunset.jpg'))).length }]);
    expect(result.skipped).toEqual([{ path: join(dir, 'drop', 'broken.jpg'), reason: expect.stringMatching(/^Broken symbolic link/) }]);
  });

  const isRoot = process.getuid?.() === 0;
  if (isRoot) console.info('analysis-input: skipping the permission-denied discovery test: running as root, which can read any file.');
  it.skipIf(isRoot || process.platform === 'win32')('reports unreadable files and folders as permission denied', async () => {
    await mkdir(join(dir, 'drop', 'locked'), { recursive: true });
    await copyFile(fx('good/04-shapes.png'), join(dir, 'drop', 'a.png'));
    await copyFile(fx('good/04-shapes.png'), join(dir, 'drop', 'secret.png'));
    await chmod(join(dir, 'drop', 'secret.png'), 0o000);
    await chmod(join(dir, 'drop', 'locked'), 0o000);
    try {
      const result = await discoverInputs([join(dir, 'drop')]);
      expect(result.files.map((f) => f.path)).toEqual([join(dir, 'drop', 'a.png')]);
      expect(result.skipped).toEqual([
        { path: join(dir, 'drop', 'locked'), reason: 'Permission denied.' },
        { path: join(dir, 'drop', 'secret.png'), reason: 'Permission denied.' },
      ]);
      expect((await loupeError(prepareImage(join(dir, 'drop', 'secret.png')))).message).toMatch(/Permission denied/);
    } finally {
      await chmod(join(dir, 'drop', 'locked'), 0o700);
      await chmod(join(dir, 'drop', 'secret.png'), 0o600);
    }
  });

  it('stops at maxFiles and says so once', async () => {
    const result = await discoverInputs([fx('good'), fx('edge')], { maxFiles: 3 });
    expect(result.files.map((f) => f.path)).toEqual([fx('good/01-sunset.jpg'), fx('good/02-meadow.webp'), fx('good/03-portrait.jpg')]);
    expect(result.skipped).toEqual([
      { path: fx('good/04-shapes.png'), reason: 'Loupe takes at most 3 images at a time, so this file and any after it were left out.' },
    ]);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(discoverInputs([fx('good')], { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
