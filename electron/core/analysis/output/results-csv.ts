/**
 * results.csv grows by one row per finished photo instead of being rewritten
 * whole: each row is one append of complete CRLF-terminated text, so the file
 * is valid CSV at every moment (a reader sees the rows so far). The journal
 * records where the file ends after each row it knows about (`csvEnd`); on
 * resume, bytes past that point are a row whose record was lost in a crash,
 * and are cut so the photo's row is not there twice.
 */
import { open, stat, truncate } from 'node:fs/promises';
import { csvField, toCsv } from './csv-text';
import { writeAtomicAsync } from '../files/write-atomic-async';

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

  /** Appends one row; resolves with the file's new length. */
  append(cells: string[]): Promise<number> {
    return this.appendRows([cells]);
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
