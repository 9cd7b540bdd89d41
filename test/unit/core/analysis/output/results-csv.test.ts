import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CsvAppender, csvLine } from '../../../../../electron/core/analysis/output/results-csv';
import { parseCsv } from '../../../../support/csv';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-csv-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('grows by whole rows: valid CSV after every append, with awkward cells intact', async () => {
  const csv = new CsvAppender(join(dir, 'results.csv'));
  let end = await csv.create(['file', 'note'], [['skipped.txt', 'not an image']]);
  const rows: string[][] = [['skipped.txt', 'not an image']];
  for (const row of [
    ['a.jpg', 'a, "quoted"\r\nline'],
    ['b.jpg', ' padded '],
    ['c.jpg', 'ünïcode'],
  ]) {
    end = await csv.append(row);
    rows.push(row);
    expect(parseCsv(await readFile(csv.path, 'utf8'))).toEqual([['file', 'note'], ...rows]);
    expect((await stat(csv.path)).size).toBe(end);
  }
});

it('on resume, a row appended after the last recorded end is cut, so it is not there twice', async () => {
  const csv = new CsvAppender(join(dir, 'results.csv'));
  await csv.create(['file'], []);
  const recorded = await csv.append(['a.jpg']);
  // Killed after appending b.jpg's row but before the journal recorded it.
  await appendFile(csv.path, csvLine(['b.jpg']));
  const resumed = new CsvAppender(csv.path);
  expect(await resumed.resumeAt(recorded)).toBe(true);
  await resumed.append(['b.jpg']);
  expect(parseCsv(await readFile(csv.path, 'utf8'))).toEqual([['file'], ['a.jpg'], ['b.jpg']]);
});

it('refuses to resume (the caller rebuilds) when the file is missing, shorter, or the end is not a row boundary', async () => {
  const csv = new CsvAppender(join(dir, 'results.csv'));
  expect(await csv.resumeAt(10)).toBe(false);
  const end = await csv.create(['file'], [['a.jpg']]);
  expect(await csv.resumeAt(end + 5)).toBe(false);
  await writeFile(csv.path, `${await readFile(csv.path, 'utf8')}b.jpg\r\n`);
  expect(await csv.resumeAt(end - 3)).toBe(false);
  expect(await csv.resumeAt(end)).toBe(true);
});
