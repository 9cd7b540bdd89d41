/**
 * What a job leaves in its output folder: one JSON per photo
 * (`<name>-<hash8>.json`), `summary.json` and `results.csv`. Every file is
 * replaced atomically (temp file + rename), so a reader or a crash never
 * sees half a file, and a photo analysed again after a crash overwrites its
 * own file instead of leaving a second one.
 */
import { readFileSync } from 'node:fs';
import { readFile, readdir, unlink } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { writeAtomic } from '../../kernel/json-file-store';
import { cellValue, neutraliseFormula, toCsv } from './csv-text';
import type { ItemRecord, JobRecord, StopReason } from '../records/job-record';

export const SUMMARY_FILE = 'summary.json';
export const CSV_FILE = 'results.csv';

export type ItemDocumentStatus = 'ok' | 'unparsed' | 'failed' | 'duplicate';

export interface ItemDocument {
  loupe: { version: 1; job_id: string; item_id: string };
  source: { path: string; name: string; bytes: number | null; sha256: string; width?: number; height?: number; format?: string };
  sent?: { mime: string; width: number; height: number; bytes: number; detail: string };
  model: string;
  preset: string;
  structured_output?: boolean;
  started_at: string | null;
  finished_at: string;
  attempts: number;
  usage: { input_tokens: number; output_tokens: number } | null;
  request_id: string | null;
  status: ItemDocumentStatus;
  /** The parsed answer (or the text, for a custom prompt without a schema); null when it didn't parse. */
  result: unknown;
  raw_text?: string;
  parse_error?: string;
  error?: { code: string; message: string };
  duplicate_of?: { item_id: string; path: string; output_file: string | null };
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** `<photo name>-<first 8 hex of its SHA-256>.json`, with the name made safe on every file system. */
export function outputFileName(path: string, hash: string, suffix?: string): string {
  const stem =
    basename(path, extname(path))
      .normalize('NFC')
      .replace(/[^\p{L}\p{N} ._()-]/gu, '_')
      .replace(/^[ .]+|[ .]+$/g, '')
      .slice(0, 80) || 'photo';
  return `${stem}-${hash.slice(0, 8)}${suffix ? `-${suffix}` : ''}.json`;
}

export function writeItemDocument(outputDir: string, fileName: string, doc: ItemDocument): void {
  writeAtomic(join(outputDir, fileName), `${JSON.stringify(doc, null, 2)}\n`);
}

/** readItemDocument off the main thread (a page of results for the window). */
export async function readItemDocumentAsync(outputDir: string, fileName: string): Promise<ItemDocument | undefined> {
  try {
    const doc = JSON.parse(await readFile(join(outputDir, fileName), 'utf8')) as ItemDocument;
    return doc && typeof doc === 'object' && doc.loupe?.version === 1 ? doc : undefined;
  } catch {
    return undefined;
  }
}

export function readItemDocument(outputDir: string, fileName: string): ItemDocument | undefined {
  try {
    const doc = JSON.parse(readFileSync(join(outputDir, fileName), 'utf8')) as ItemDocument;
    return doc && typeof doc === 'object' && doc.loupe?.version === 1 ? doc : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Temp files `writeAtomic` left behind when the process died mid-write (`<name>.<pid>.<random>.tmp`).
 * Listed off the main thread: a 100,000-photo job's folder took about 60 ms to list synchronously.
 */
export async function removeStaleTempFiles(outputDir: string): Promise<number> {
  let removed = 0;
  let names: string[];
  try {
    names = await readdir(outputDir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const temp = /\.(json|csv)\.(\d+)\.[a-z0-9]+\.tmp$/.exec(name);
    // This process's own temp files are writes in progress (the listing is not instant), never a dead run's.
    if (!temp || Number(temp[2]) === process.pid) continue;
    try {
      await unlink(join(outputDir, name));
      removed++;
    } catch {
      /* not ours to worry about */
    }
  }
  return removed;
}

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
export function resultColumns(columns: string[]): Array<{ key: string; header: string }> {
  return columns.map((key) => ({ key, header: FIXED_COLUMNS.includes(key) ? `result_${key}` : key }));
}

/** An item's status as files show it (an answer that didn't match the schema is "unparsed", not "done"). */
export function outputStatus(item: ItemRecord): string {
  return item.status;
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
    outputStatus(item),
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

export function buildCsv(job: JobRecord, columns: string[], resultOf: (item: ItemRecord) => unknown): string {
  const byId = new Map(job.items.map((i) => [i.id, i]));
  const rows = job.items.map((item) => csvRow(job, item, columns, item.status === 'done' ? resultOf(item) : undefined, (id) => byId.get(id)?.path));
  return toCsv(csvHeader(columns), rows);
}

export interface Summary {
  loupe: { version: 1; job_id: string };
  name: string;
  preset: string;
  model: string;
  detail: string;
  status: string;
  stop_reason: StopReason | null;
  created_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
  counts: Record<string, number>;
  tokens: { input: number; output: number };
  /** Every photo; left out while the job runs (results.csv lists each finished photo meanwhile), written when it stops. */
  items?: Array<{
    path: string;
    status: string;
    output_file: string | null;
    sha256: string | null;
    duplicate_of: string | null;
    error: { code: string; message: string } | null;
    parse_error: string | null;
  }>;
}

export function buildSummary(job: JobRecord, counts: Record<string, number>, now: number, withItems = true): Summary {
  const summary: Summary = {
    loupe: { version: 1, job_id: job.id },
    name: job.name,
    preset: job.spec.preset,
    model: job.spec.model,
    detail: job.spec.detail,
    status: job.status,
    stop_reason: job.stopReason ?? null,
    created_at: iso(job.createdAt),
    started_at: iso(job.startedAt),
    finished_at: iso(job.finishedAt),
    updated_at: new Date(now).toISOString(),
    counts,
    tokens: job.tokens,
  };
  if (!withItems) return summary;
  const byId = new Map(job.items.map((i) => [i.id, i]));
  summary.items = job.items.map((item) => summaryItem(item, (id) => byId.get(id)?.path));
  return summary;
}

type SummaryItem = NonNullable<Summary['items']>[number];

function summaryItem(item: ItemRecord, pathOf: (id: string) => string | undefined): SummaryItem {
  return {
    path: item.path,
    status: outputStatus(item),
    output_file: item.outputFile ?? null,
    sha256: item.hash ?? null,
    duplicate_of: item.duplicateOf ? (pathOf(item.duplicateOf) ?? null) : null,
    error: item.error ?? null,
    parse_error: item.parseError ?? null,
  };
}

/**
 * summary.json's text, a slice of photos at a time, with `nextTurn` awaited
 * between slices: the same text as `JSON.stringify(buildSummary(…), null, 2)`
 * and a newline, without one long task on the main thread for a large job.
 */
export async function* summaryChunks(
  job: JobRecord,
  counts: Record<string, number>,
  now: number,
  withItems: boolean,
  pathOf: (id: string) => string | undefined,
  nextTurn: () => Promise<void>,
  slice = 2000,
): AsyncGenerator<string> {
  const head = JSON.stringify(buildSummary(job, counts, now, false), null, 2);
  if (!withItems) {
    yield `${head}\n`;
    return;
  }
  // The head ends with "\n}": the items go in as its last field, indented as JSON.stringify would.
  yield `${head.slice(0, -2)},\n  "items": [`;
  const { items } = job;
  for (let start = 0; start < items.length; start += slice) {
    if (start > 0) await nextTurn();
    const text = items
      .slice(start, start + slice)
      .map((item) => `\n    ${JSON.stringify(summaryItem(item, pathOf), null, 2).replace(/\n/g, '\n    ')}`)
      .join(',');
    yield `${start > 0 ? ',' : ''}${text}`;
  }
  yield items.length > 0 ? '\n  ]\n}\n' : ']\n}\n';
}
