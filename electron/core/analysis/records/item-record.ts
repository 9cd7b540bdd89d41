/**
 * One photo of a job, as it is saved with the job (`<dataDir>/jobs/`): where
 * it is, its status (lifecycle/item-lifecycle.ts moves it), its content hash
 * and result file once known, and what its request cost.
 */
import type { ItemStatus } from '../../../contract';

export interface ItemError {
  code: string;
  message: string;
}

export interface ItemRecord {
  id: string;
  path: string;
  size?: number;
  status: ItemStatus;
  /** SHA-256 of the file, known once the item was first prepared. */
  hash?: string;
  /** File name (inside the job's output folder) of this item's JSON. */
  outputFile?: string;
  /** Same content as this earlier item: analysed once, referenced here. */
  duplicateOf?: string;
  attempts?: number;
  startedAt?: number;
  finishedAt?: number;
  usage?: { input_tokens: number; output_tokens: number };
  /** Why the answer could not be read against the schema (an `unparsed` item). */
  parseError?: string;
  error?: ItemError | undefined;
  requestId?: string;
}

/**
 * An item as an older Loupe saved it, in today's terms: an answer that did
 * not match the schema was saved as `done` with its `parseError`; it is
 * `unparsed` now.
 */
export function normaliseItem(item: ItemRecord): ItemRecord {
  if (item.status === 'done' && item.parseError) item.status = 'unparsed';
  return item;
}
