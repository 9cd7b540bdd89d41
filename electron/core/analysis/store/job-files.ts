/**
 * A job's snapshot on disk, in two files so that opening Loupe reads a few
 * hundred bytes per job instead of every photo of every job:
 *
 *   <id>.json               the header: everything but the items, plus the
 *                           counts at the snapshot and the items file's name
 *   <id>.items.<seq>.json   the items (a JSON array), named after the last
 *                           journal entry it includes
 *
 * The items file is written first and the header, naming it, after: a crash
 * in between leaves the older header naming the older items file, which is
 * still there (an items file is removed only once a newer header no longer
 * names it). A header with the items inline (older Loupe) is read as well.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJsonArraySlices } from '../files/json-slices';
import { type ItemRecord, normaliseItem } from '../records/item-record';
import { type JobCounts } from '../../../contract';
import { type JobRecord } from '../records/job-record';

/** What the header holds besides the record's own fields. */
export interface JobHeader extends Omit<JobRecord, 'items'> {
  /** The items file beside it; absent in a header that holds `items` itself. */
  itemsFile?: string;
  /** The counts at the snapshot: a job's line in the list without reading its items. */
  counts?: JobCounts;
  items?: ItemRecord[];
}

export function itemsFileName(id: string, seq: number): string {
  return `${id}.items.${seq}.json`;
}

/** The header's text: the record without its items. */
export function headerText(record: JobRecord, extra: { seq: number; itemsFile: string; counts: JobCounts; outbox?: JobRecord['outbox'] }): string {
  // Own enumerable fields only: the items (a hidden getter while not in memory) are never read here.
  const rest = Object.fromEntries(Object.entries(record).filter(([key]) => key !== 'items' && key !== 'outbox')) as Omit<JobRecord, 'items'>;
  const header: JobHeader = {
    ...rest,
    seq: extra.seq,
    itemsFile: extra.itemsFile,
    counts: extra.counts,
    ...(extra.outbox && extra.outbox.length > 0 ? { outbox: extra.outbox } : {}),
  };
  return JSON.stringify(header);
}

export async function readHeader(path: string): Promise<JobHeader> {
  const header = JSON.parse(await readFile(path, 'utf8')) as JobHeader;
  if (header?.version !== 1 || typeof header.id !== 'string') throw new Error('not a job');
  if (!Array.isArray(header.items) && typeof header.itemsFile !== 'string') throw new Error('not a job');
  if (header.itemsFile !== undefined && !/^[\w-]+\.items\.\d+\.json$/.test(header.itemsFile)) throw new Error('not a job');
  header.items?.forEach(normaliseItem);
  return header;
}

/** Parsed a slice at a time (files/json-slices.ts): reading a large job's items never holds the main thread for long. */
export async function readItems(dir: string, itemsFile: string): Promise<ItemRecord[]> {
  const text = await readFile(join(dir, itemsFile), 'utf8');
  try {
    return ((await parseJsonArraySlices(text)) as ItemRecord[]).map(normaliseItem);
  } catch {
    throw new Error('not a job’s items');
  }
}

/** Removes this job's items files other than `keep` (older generations, or all of them with no `keep`). */
export async function removeItemsFiles(dir: string, id: string, keep?: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const prefix = `${id}.items.`;
  for (const name of names) {
    if (name === keep || !name.startsWith(prefix) || !/^\d+\.json$/.test(name.slice(prefix.length))) continue;
    await rm(join(dir, name), { force: true });
  }
}
