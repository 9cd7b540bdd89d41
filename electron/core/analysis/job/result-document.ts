/**
 * A photo's result file as it is journaled and written out: who wrote it
 * (job and item), the source photo, what was uploaded (sizes only, never the
 * bytes), the model and preset, timings and attempts, and the outcome fields
 * (answer, failure, duplicate) the caller gives. A duplicate's outcome is
 * its original's: the same answer, or the same failure, named after it.
 */
import { basename } from 'node:path';
import type { ItemDocument } from '../records/item-document';
import { isAnswered, moveItem } from '../lifecycle/item-lifecycle';
import type { ItemRecord } from '../records/item-record';
import type { JobRecord } from '../records/job-record';

/** What was uploaded for a photo, kept from its preparation until its outcome is recorded. */
export type SentFacts = Pick<ItemDocument, 'sent'> & { source: { width: number; height: number; format: string } };

export type DocumentFields = Partial<ItemDocument> & Pick<ItemDocument, 'status' | 'result'>;

export function itemDocument(record: JobRecord, item: ItemRecord, sent: SentFacts | undefined, now: number, fields: DocumentFields): ItemDocument {
  return {
    loupe: { version: 1, job_id: record.id, item_id: item.id },
    source: { path: item.path, name: basename(item.path), bytes: item.size ?? null, sha256: item.hash ?? '', ...sent?.source },
    ...(sent?.sent ? { sent: sent.sent } : {}),
    model: record.spec.model,
    preset: record.spec.preset,
    started_at: item.startedAt === undefined ? null : new Date(item.startedAt).toISOString(),
    finished_at: new Date(item.finishedAt ?? now).toISOString(),
    attempts: item.attempts ?? 0,
    usage: null,
    request_id: item.requestId ?? null,
    ...fields,
  };
}

/** A duplicate settled as its original ended: its record updated, and its document's outcome fields. */
export function settleAsDuplicate(item: ItemRecord, owner: ItemRecord, ownerDoc: ItemDocument | undefined, now: number): DocumentFields {
  const done = isAnswered(owner.status);
  item.finishedAt = now;
  item.startedAt ??= now;
  if (done) {
    // The copy's answer is its original's, readable or not.
    moveItem(item, { type: 'answer', parsed: owner.status === 'done' });
    item.error = undefined;
    if (owner.parseError) item.parseError = owner.parseError;
    else delete item.parseError;
  } else {
    moveItem(item, { type: 'fail' });
    item.error = {
      code: owner.error?.code ?? 'failed',
      message: `Same photo as ${owner.path}, which failed: ${owner.error?.message ?? 'unknown error'}`,
    };
  }
  return {
    status: done ? 'duplicate' : 'failed',
    result: done ? (ownerDoc?.result ?? null) : null,
    ...(done && ownerDoc?.raw_text !== undefined ? { raw_text: ownerDoc.raw_text } : {}),
    ...(item.parseError ? { parse_error: item.parseError } : {}),
    ...(item.error ? { error: item.error } : {}),
    duplicate_of: { item_id: owner.id, path: owner.path, output_file: owner.outputFile ?? null },
    usage: null,
  };
}
