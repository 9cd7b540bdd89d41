/**
 * One item as the window sees it: its record, the status it may show (an
 * outcome not yet on disk shows as in flight), its thumbnail when the session
 * holds one, and its result read from its file (only for the page asked for).
 */
import { basename } from 'node:path';
import type { ItemDocument } from '../records/item-document';
import { isAnswered } from '../lifecycle/item-lifecycle';
import type { ItemRecord } from '../records/item-record';
import type { ItemView } from '../records/job-record';

export async function itemView(
  item: ItemRecord,
  seen: { status: ItemRecord['status']; thumbnail: string | undefined; document(): Promise<ItemDocument | undefined> },
): Promise<ItemView> {
  const view: ItemView = { id: item.id, path: item.path, name: basename(item.path), status: seen.status };
  if (item.error) view.error = { ...item.error };
  if (seen.thumbnail) view.thumbnail = seen.thumbnail;
  if (item.hash) view.hash = item.hash;
  if (item.outputFile) view.outputFile = item.outputFile;
  if (item.duplicateOf) view.duplicateOf = item.duplicateOf;
  if (item.attempts) view.attempts = item.attempts;
  if (item.parseError) view.parseError = item.parseError;
  if (isAnswered(item.status) || (item.status === 'failed' && item.outputFile)) {
    const doc = await seen.document();
    if (doc && doc.result !== null && doc.result !== undefined) view.result = doc.result;
    if (doc?.raw_text !== undefined) view.rawText = doc.raw_text;
  }
  return view;
}
