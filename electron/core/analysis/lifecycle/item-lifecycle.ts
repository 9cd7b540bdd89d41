/**
 * One photo's lifecycle within its job: waiting (`pending`), in flight,
 * answered (`done`, or `unparsed` when the answer could not be read against
 * the schema), `failed`, `skipped` at discovery (never sent), and `not_run`
 * (its job was cancelled for good before it ran: nothing was paid for it, and
 * "Analyse remaining" takes it). Every status write on an item goes through
 * `moveItem`; a move the table refuses is a bug in Loupe, so it throws.
 *
 *   pending ─send→ in_flight ─answer→ done | unparsed
 *                            ─fail→ failed
 *                            ─retry later, release, recover→ pending
 *   pending ─answer (a copy, a result adopted), fail (unreadable file)→ …
 *   failed | unparsed ─retry→ pending
 *   pending | in_flight ─not run (the job was cancelled for good)→ not_run
 */
import type { ItemStatus } from '../../../contract';
import type { ItemRecord } from '../records/item-record';

export type ItemEvent =
  /** A request goes out for it (again), or it goes into a batch. */
  | { type: 'send' }
  /** Its answer is recorded: readable against the schema (`parsed`), or kept as raw text. */
  | { type: 'answer'; parsed: boolean }
  | { type: 'fail' }
  /** A transient failure: it waits for another attempt. */
  | { type: 'retryLater' }
  /** The run gave it back untouched (pause, stop, cancel, quit). */
  | { type: 'release' }
  /** Read back after Loupe ended: a request in flight then was never answered. */
  | { type: 'recover' }
  /** The person asked again for the failed, or unparsed, photos. */
  | { type: 'retry'; items: 'failed' | 'unparsed' }
  /** Its job was cancelled for good before it ran. */
  | { type: 'notRun' };

export type ItemEventType = ItemEvent['type'];

export const ITEM_EVENT_TYPES = [
  'send',
  'answer',
  'fail',
  'retryLater',
  'release',
  'recover',
  'retry',
  'notRun',
] as const satisfies readonly ItemEventType[];

/** A status, 'same' (allowed, nothing changes), or why the move is refused. */
type Cell = ItemStatus | 'same' | { refused: string } | ((event: ItemEvent) => Cell);

const no = (refused: string): Cell => ({ refused });
const answered = (event: ItemEvent): Cell => (event.type === 'answer' && event.parsed ? 'done' : 'unparsed');
const retriedIf =
  (items: 'failed' | 'unparsed') =>
  (event: ItemEvent): Cell =>
    event.type === 'retry' && event.items === items ? 'pending' : 'same';

const SETTLED = 'Its outcome is already recorded.';
const NEVER_SENT = 'It was never sent.';

/** An outcome is recorded: only a retry of that kind asks again; nothing else is recorded for it. */
const settled = (retry: Cell): Record<ItemEventType, Cell> => ({ ...closed(SETTLED), retry });

/** Nothing more is sent or recorded for it (`reason` says why); giving back, reading back and a retry of another kind change nothing. */
function closed(reason: string): Record<ItemEventType, Cell> {
  const refused = no(reason);
  return {
    send: refused,
    answer: refused,
    fail: refused,
    retryLater: refused,
    release: 'same',
    recover: 'same',
    retry: 'same',
    notRun: 'same',
  };
}

const ITEM_TABLE: Readonly<Record<ItemStatus, Readonly<Record<ItemEventType, Cell>>>> = {
  pending: {
    send: 'in_flight',
    answer: answered,
    fail: 'failed',
    retryLater: 'same',
    release: 'same',
    recover: 'same',
    retry: 'same',
    notRun: 'not_run',
  },
  in_flight: {
    send: 'same',
    answer: answered,
    fail: 'failed',
    retryLater: 'pending',
    release: 'pending',
    recover: 'pending',
    retry: 'same',
    notRun: 'not_run',
  },
  done: settled('same'),
  unparsed: settled(retriedIf('unparsed')),
  failed: settled(retriedIf('failed')),
  skipped: closed(NEVER_SENT),
  not_run: closed('Its job was cancelled.'),
};

/** The status `event` moves an item in `status` to, or why it may not. */
export function nextItemStatus(status: ItemStatus, event: ItemEvent): { ok: true; status: ItemStatus } | { ok: false; reason: string } {
  let cell = ITEM_TABLE[status][event.type];
  while (typeof cell === 'function') cell = cell(event);
  if (typeof cell === 'object') return { ok: false, reason: cell.refused };
  return { ok: true, status: cell === 'same' ? status : cell };
}

/** Moves the item; a refused move is a bug (an outcome recorded twice), so it throws. Returns whether the status changed. */
export function moveItem(item: ItemRecord, event: ItemEvent): boolean {
  const next = nextItemStatus(item.status, event);
  if (!next.ok) throw new Error(`item ${item.id} is ${item.status}, so it can’t ${event.type}: ${next.reason}`);
  if (next.status === item.status) return false;
  if (event.type === 'retry') {
    // Asked again from the start: a fresh attempt budget, its earlier outcome forgotten (its tokens stay counted).
    delete item.error;
    delete item.parseError;
    delete item.attempts;
    delete item.finishedAt;
    delete item.duplicateOf;
  }
  item.status = next.status;
  return true;
}

/** Still to be sent or answered in this run. */
export const isOpen = (status: ItemStatus): boolean => status === 'pending' || status === 'in_flight';

/** An answer was recorded (readable or not): paid for. */
export const isAnswered = (status: ItemStatus): boolean => status === 'done' || status === 'unparsed';

/** Its outcome is recorded: a result file (or failure) that the output folder holds. */
export const isSettled = (status: ItemStatus): boolean => isAnswered(status) || status === 'failed';

/** What "Analyse remaining" takes: neither analysed nor set aside as unreadable at discovery. */
export const isRemaining = (status: ItemStatus): boolean => isOpen(status) || status === 'failed' || status === 'not_run';

/**
 * A job cancelled for good: its photos that will never run say so. A photo
 * in a batch still open at OpenAI (or a copy waiting for one) is not one of
 * them: its answer may yet arrive (paid for) and is collected
 * (runs/batch/cancelled-batches.ts).
 */
export function markNotRun(items: readonly ItemRecord[], inOpenBatch: (item: ItemRecord) => boolean): number {
  let n = 0;
  for (const item of items) if (isOpen(item.status) && !inOpenBatch(item) && moveItem(item, { type: 'notRun' })) n++;
  return n;
}
