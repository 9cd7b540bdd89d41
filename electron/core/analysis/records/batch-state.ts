/**
 * A batch job's state at OpenAI, saved with the job (`record.batch`) after
 * every step: which photos went into which uploaded file and batch, and which
 * batches were collected, so a restart polls the batches already paid for
 * instead of sending the photos again.
 */
import type { ItemRecord } from './item-record';

/** A batch's status as the Batch API reports it. */
export type BatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

export interface BatchPart {
  customIds: string[];
  fileId: string;
  batchId?: string;
  status?: BatchStatus;
  /** Output and error files were read and every line reported. */
  collected?: boolean;
}

export interface BatchState {
  version: 1;
  parts: BatchPart[];
  /** Set when the batches are being cancelled. */
  cancelled?: boolean;
}

/** Whether any batch is still open at OpenAI (created, not yet collected). */
export function hasOpenBatch(state: BatchState | undefined): boolean {
  return state?.parts.some((p) => p.batchId && !p.collected) ?? false;
}

/**
 * Photos in a batch still open at OpenAI, and copies waiting for one of them:
 * their answers may yet arrive (paid for).
 */
export function inOpenBatch(state: BatchState | undefined): (item: Pick<ItemRecord, 'id' | 'duplicateOf'>) => boolean {
  const open = new Set(state?.parts.filter((p) => p.batchId && !p.collected).flatMap((p) => p.customIds));
  return (item) => open.has(item.id) || (item.duplicateOf !== undefined && open.has(item.duplicateOf));
}
