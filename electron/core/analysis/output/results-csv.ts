/**
 * results.csv in the job's output folder: a row per finished or skipped
 * photo (its fixed columns, then the answer's top-level fields), appended as
 * photos finish.
 *
 * The file grows by one row per finished photo instead of being rewritten
 * whole: each row is one append of complete CRLF-terminated text, so the file
 * is valid CSV at every moment (a reader sees the rows so far). The journal
 * records where the file ends after each row it knows about (`csvEnd`); on
 * resume, bytes past that point are a row whose record was lost in a crash,
 * and are cut so the photo's row is not there twice.
 */
import { open, stat, truncate } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ItemRecord } from '../records/item-record';
import type { JobRecord } from '../records/job-record';
import { cellValue, csvField, neutraliseFormula, toCsv } from './csv-text';
import { writeAtomicAsync } from '../files/write-atomic-async';

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

const FIXED_COLUMNS = [
  'file',
  'path',
  'status',
  'sha256',
  'output_file',
  'duplicate_of',
  'model',
  'preset',
  'started_at',
  'finished_at',
  'input_tokens',
  'output_tokens',
  'error_code',
  'error',
  'parse_error',
];

/** Result fields become columns; one that clashes with a fixed column is prefixed. */
function resultColumns(columns: string[]): Array<{ key: string; header: string }> {
  return columns.map((key) => ({ key, header: FIXED_COLUMNS.includes(key) ? `result_${key}` : key }));
}

export function csvHeader(columns: string[]): string[] {
  return [...FIXED_COLUMNS, ...resultColumns(columns).map((c) => c.header)];
}

/** One item's row; `result` is its parsed answer (used only when done), `pathOf` names a duplicate's original. */
export function csvRow(job: JobRecord, item: ItemRecord, columns: string[], result: unknown, pathOf: (id: string) => string | undefined): string[] {
  const extra = resultColumns(columns);
  if (item.status !== 'done') result = undefined;
  const fields =
    columns.length === 1 && columns[0] === 'result'
      ? [cellValue(result)]
      : extra.map(({ key }) => (result && typeof result === 'object' ? cellValue((result as Record<string, unknown>)[key]) : ''));
  return [
    neutraliseFormula(basename(item.path)),
    neutraliseFormula(item.path),
    item.status,
    item.hash ?? '',
    item.outputFile ?? '',
    item.duplicateOf ? (pathOf(item.duplicateOf) ?? '') : '',
    job.spec.model,
    job.spec.preset,
    iso(item.startedAt) ?? '',
    iso(item.finishedAt) ?? '',
    item.usage ? String(item.usage.input_tokens) : '',
    item.usage ? String(item.usage.output_tokens) : '',
    item.error?.code ?? '',
    neutraliseFormula(item.error?.message ?? ''),
    neutraliseFormula(item.parseError ?? ''),
    ...fields,
  ];
}

export function csvLine(cells: string[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

export class CsvAppender {
  #size: number | undefined;

  constructor(readonly path: string) {}

  /** Bytes in the file as far as this job knows (header and every appended row). */
  get size(): number | undefined {
    return this.#size;
  }

  /** A new file: byte-order mark, header, and the rows known at once (skipped photos). Returns its length. */
  async create(header: string[], rows: string[][]): Promise<number> {
    const text = toCsv(header, rows);
    await writeAtomicAsync(this.path, text);
    this.#size = Buffer.byteLength(text);
    return this.#size;
  }

  /**
   * Makes the file end where the journal says (`end`): cuts a row appended
   * after the last record. False when the file is missing, shorter, or `end`
   * is not at a row boundary: the caller rebuilds it.
   */
  async resumeAt(end: number): Promise<boolean> {
    let size: number;
    try {
      size = (await stat(this.path)).size;
    } catch {
      return false;
    }
    if (size < end || end < 2) return false;
    if (size > end) {
      const handle = await open(this.path, 'r');
      try {
        const tail = Buffer.alloc(2);
        await handle.read(tail, 0, 2, end - 2);
        if (tail.toString('latin1') !== '\r\n') return false;
      } finally {
        await handle.close();
      }
      await truncate(this.path, end);
    }
    this.#size = end;
    return true;
  }

  /** Appends rows in one write; resolves with the file's new length. */
  async appendRows(rows: string[][]): Promise<number> {
    const line = rows.map(csvLine).join('');
    const handle = await open(this.path, 'a');
    try {
      await handle.write(line);
    } finally {
      await handle.close();
    }
    this.#size = (this.#size ?? 0) + Buffer.byteLength(line);
    return this.#size;
  }

  /** Replaces the file whole (rows in item order, superseded rows gone); resolves with its length. */
  async rewrite(header: string[], rows: string[][]): Promise<number> {
    return this.create(header, rows);
  }
}
