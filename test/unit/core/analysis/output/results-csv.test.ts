import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CsvAppender, csvHeader, csvLine, csvRow } from '../../../../../electron/core/analysis/output/results-csv';
import type { ItemRecord } from '../../../../../electron/core/analysis/records/item-record';
import type { JobRecord } from '../../../../../electron/core/analysis/records/job-record';
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
    end = await csv.appendRows([row]);
    rows.push(row);
    expect(parseCsv(await readFile(csv.path, 'utf8'))).toEqual([['file', 'note'], ...rows]);
    expect((await stat(csv.path)).size).toBe(end);
  }
});

it('on resume, a row appended after the last recorded end is cut, so it is not there twice', async () => {
  const csv = new CsvAppender(join(dir, 'results.csv'));
  await csv.create(['file'], []);
  const recorded = await csv.appendRows([['a.jpg']]);
  // Killed after appending b.jpg's row but before the journal recorded it.
  await appendFile(csv.path, csvLine(['b.jpg']));
  const resumed = new CsvAppender(csv.path);
  expect(await resumed.resumeAt(recorded)).toBe(true);
  await resumed.appendRows([['b.jpg']]);
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

describe('rows', () => {
  const job = { spec: { model: 'gpt-4.1', preset: 'damage' } } as JobRecord;
  const columns = ['area', 'damages', 'status'];
  const item = (over: Partial<ItemRecord>): ItemRecord => ({ id: 'i1', path: '/p/=cmd.jpg', status: 'done', ...over });
  const cell = (row: string[], name: string) => row[csvHeader(columns).indexOf(name)];

  it('the fixed columns, then the answer’s fields; one that clashes with a fixed column is prefixed', () => {
    expect(csvHeader(columns).slice(-4)).toEqual(['parse_error', 'area', 'damages', 'result_status']);
  });

  it('a row per photo, with its answer, formulas neutralised and a copy naming its original', () => {
    const row = csvRow(
      job,
      item({ hash: 'h', outputFile: 'o.json', duplicateOf: 'i0', startedAt: 0, finishedAt: 1000, usage: { input_tokens: 5, output_tokens: 2 } }),
      columns,
      { area: '=HYPERLINK("x")', damages: ['crack', 'stain'], status: 'bad' },
      (id) => (id === 'i0' ? '/p/original.jpg' : undefined),
    );
    expect(row.slice(0, 12)).toEqual([
      "'=cmd.jpg",
      '/p/=cmd.jpg',
      'done',
      'h',
      'o.json',
      '/p/original.jpg',
      'gpt-4.1',
      'damage',
      '1970-01-01T00:00:00.000Z',
      '1970-01-01T00:00:01.000Z',
      '5',
      '2',
    ]);
    expect([cell(row, 'area'), cell(row, 'damages'), cell(row, 'result_status')]).toEqual(['\'=HYPERLINK("x")', 'crack; stain', 'bad']);
  });

  it('only an answered photo has answer cells; an unreadable one says unparsed and why', () => {
    const unparsed = csvRow(job, item({ status: 'unparsed', parseError: 'not JSON' }), columns, { area: 'x' }, () => undefined);
    expect([cell(unparsed, 'status'), cell(unparsed, 'parse_error'), cell(unparsed, 'area')]).toEqual(['unparsed', 'not JSON', '']);
    const failed = csvRow(job, item({ status: 'failed', error: { code: 'network', message: '-1 retries' } }), columns, undefined, () => undefined);
    expect([cell(failed, 'error_code'), cell(failed, 'error')]).toEqual(['network', "'-1 retries"]);
  });

  it('a free-text answer is one result column', () => {
    expect(csvHeader(['result']).at(-1)).toBe('result');
    expect(csvRow(job, item({}), ['result'], 'A kitchen.', () => undefined).at(-1)).toBe('A kitchen.');
  });
});
