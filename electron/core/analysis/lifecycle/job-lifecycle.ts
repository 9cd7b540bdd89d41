/**
 * A job's lifecycle, whole: each status a job can be in, each event that can
 * happen to it, and what the event does there — a move (to another status or
 * the same one), nothing to do ("idle": already so, no photo concerned), or a
 * refusal, with the reason in words for a person. The engine writes a job's
 * status only through `moveJob`, and the window's buttons (`job.can`,
 * job-abilities.ts) ask the same table, so what is offered and what the
 * engine accepts cannot disagree.
 *
 *   queued ─start→ running ─finish→ done, or failed when nothing was answered
 *                  running ─stop(reason)→ stopped          (quota, sign-in, output folder…)
 *          queued, running ─pause→ paused ─resume→ queued
 *                  stopped ─resume→ queued
 *   queued, running, paused, stopped ─cancel→ paused while "Undo" is offered,
 *                                     then ─cancel for good→ cancelled
 *   paused, stopped, done, failed ─retry(failed or unparsed photos)→ queued
 *                  running ─recover (Loupe ended abnormally)→ paused, "interrupted"
 *
 * Pure: it reads the facts it is given and returns the change to make;
 * `applyJobChange` makes it.
 */
import type { JobCounts, JobStatus } from '../../../contract';
import type { JobRecord, StopReason } from '../records/job-record';

export type JobEvent =
  /** The run queue starts the job (queued, or running when Loupe last quit). */
  | { type: 'start'; at: number }
  | { type: 'pause' }
  | { type: 'resume' }
  /** The person cancels; with `grace` the job waits, paused, until the undo window closes. */
  | { type: 'cancel'; grace: boolean; at: number }
  | { type: 'undoCancel' }
  /** The undo window closed (or there was none): cancelled for good. */
  | { type: 'cancelForGood'; at: number }
  /** The run stopped on a failure that every further request would meet. */
  | { type: 'stop'; reason: StopReason }
  /** The run sent and recorded every photo it had. */
  | { type: 'finish'; at: number }
  /** The person asks again for the photos that failed, or whose answer could not be read. */
  | { type: 'retry'; items: 'failed' | 'unparsed' }
  /** Loupe ended abnormally while the job ran: it waits for the person instead of running again by itself. */
  | { type: 'recover'; reason: StopReason }
  | { type: 'analyseRemaining' }
  | { type: 'rename' }
  | { type: 'remove' };

export type JobEventType = JobEvent['type'];

export const JOB_EVENT_TYPES = [
  'start',
  'pause',
  'resume',
  'cancel',
  'undoCancel',
  'cancelForGood',
  'stop',
  'finish',
  'retry',
  'recover',
  'analyseRemaining',
  'rename',
  'remove',
] as const satisfies readonly JobEventType[];

/** What the table reads besides the status. */
export interface JobFacts {
  status: JobStatus;
  counts: JobCounts;
  /** A cancel is waiting out its undo window; `wasActive`: the job ran (or waited to run) before it. */
  cancelPending?: { wasActive: boolean } | undefined;
  /** A cancelled batch job whose finished answers are still being collected from OpenAI. */
  collecting?: boolean | undefined;
  /** The name of the job already analysing this one's remaining photos, if any. */
  remainderJob?: string | undefined;
}

/** What a move changes; `null` clears a field. */
export interface JobChange {
  status?: JobStatus;
  stopReason?: StopReason | null;
  finishedAt?: number | null;
  /** Set only when the job has none yet (its first start). */
  startedAt?: number;
  cancelPending?: { wasActive: boolean } | null;
}

export type JobMove =
  | { ok: true; change: JobChange }
  /** `idle`: nothing to do (already so); otherwise refused. */
  | { ok: false; idle: boolean; reason: string };

// ---------------------------------------------------------------------------
// The table: status × event → the status it moves to, 'same' (allowed, the
// status stays), or what refuses it. The event decides the other fields.

type Cell = JobStatus | 'same' | { idle: string } | { refused: string } | ((event: JobEvent) => Cell);

const idle = (reason: string): Cell => ({ idle: reason });
const no = (reason: string): Cell => ({ refused: reason });

const ALREADY_RUNNING = 'This job is already running.';
const ALREADY_PAUSED = 'This job is already paused.';
const NOT_PAUSABLE = 'Only a running or waiting job can be paused.';
const ENDED_JOB = 'A finished job can’t be resumed.';
const ALREADY_ENDED = 'This job has already ended.';
const WAIT = 'Wait until the job has finished.';
const NOTHING_TO_UNDO = 'Nothing to undo.';
const NOT_LEFT = 'Only a cancelled or stopped job has photos left to analyse.';
const REMOVE_FIRST = 'Pause and cancel the job first; a job can be removed once it has ended.';
const NOT_RUNNING = 'This job is not running.';
const NOT_WAITING = 'Only a waiting or running job is started.';
const BEING_CANCELLED = 'This job is being cancelled.';
const COLLECTING = 'Loupe is still collecting the answers the batch finished before it was cancelled.';

/** Done and failed alike: only a retry, renaming and removing are left. */
const ENDED: Readonly<Record<JobEventType, Cell>> = {
  start: no(NOT_WAITING),
  pause: no(NOT_PAUSABLE),
  resume: no(ENDED_JOB),
  cancel: no(ALREADY_ENDED),
  undoCancel: no(NOTHING_TO_UNDO),
  cancelForGood: no(ALREADY_ENDED),
  stop: idle(NOT_RUNNING),
  finish: idle(NOT_RUNNING),
  retry: 'queued',
  recover: idle(NOT_RUNNING),
  analyseRemaining: no(NOT_LEFT),
  rename: 'same',
  remove: 'same',
};

const JOB_TABLE: Readonly<Record<JobStatus, Readonly<Record<JobEventType, Cell>>>> = {
  queued: {
    start: 'running',
    pause: 'paused',
    resume: idle(ALREADY_RUNNING),
    cancel: 'cancelled',
    undoCancel: no(NOTHING_TO_UNDO),
    cancelForGood: 'cancelled',
    stop: 'stopped',
    finish: idle(NOT_RUNNING),
    retry: no(WAIT),
    recover: idle(NOT_RUNNING),
    analyseRemaining: no(NOT_LEFT),
    rename: 'same',
    remove: no(REMOVE_FIRST),
  },
  running: {
    start: 'running',
    pause: 'paused',
    resume: idle(ALREADY_RUNNING),
    cancel: 'cancelled',
    undoCancel: no(NOTHING_TO_UNDO),
    cancelForGood: 'cancelled',
    stop: 'stopped',
    finish: 'done',
    retry: no(WAIT),
    recover: 'paused',
    analyseRemaining: no(NOT_LEFT),
    rename: 'same',
    remove: no(REMOVE_FIRST),
  },
  paused: {
    start: no(NOT_WAITING),
    pause: idle(ALREADY_PAUSED),
    resume: 'queued',
    cancel: 'cancelled',
    undoCancel: no(NOTHING_TO_UNDO),
    cancelForGood: 'cancelled',
    // A run winding down after the pause: the job stays paused.
    stop: idle(NOT_RUNNING),
    finish: idle(NOT_RUNNING),
    retry: 'queued',
    recover: idle(NOT_RUNNING),
    analyseRemaining: no(NOT_LEFT),
    rename: 'same',
    remove: no(REMOVE_FIRST),
  },
  stopped: {
    start: no(NOT_WAITING),
    pause: no(NOT_PAUSABLE),
    resume: 'queued',
    cancel: 'cancelled',
    undoCancel: no(NOTHING_TO_UNDO),
    cancelForGood: 'cancelled',
    stop: idle(NOT_RUNNING),
    finish: idle(NOT_RUNNING),
    retry: 'queued',
    recover: idle(NOT_RUNNING),
    analyseRemaining: 'same',
    rename: 'same',
    remove: 'same',
  },
  done: ENDED,
  failed: ENDED,
  cancelled: {
    start: no(NOT_WAITING),
    pause: no(NOT_PAUSABLE),
    resume: no(ENDED_JOB),
    cancel: idle(ALREADY_ENDED),
    undoCancel: no('It is too late to undo: the job is already cancelled.'),
    cancelForGood: idle(ALREADY_ENDED),
    stop: idle(NOT_RUNNING),
    finish: idle(NOT_RUNNING),
    retry: (event) =>
      no(
        event.type === 'retry' && event.items === 'failed'
          ? 'This job was cancelled: analyse the remaining photos as a new job instead.'
          : 'This job was cancelled.',
      ),
    recover: idle(NOT_RUNNING),
    analyseRemaining: 'same',
    rename: 'same',
    remove: 'same',
  },
};

/** Photos of the job that were neither analysed nor set aside as unreadable: what "Analyse remaining" takes. */
export function remainingOf(counts: JobCounts): number {
  return counts.pending + counts.inFlight + counts.failed + counts.notRun;
}

const isActive = (status: JobStatus): boolean => status === 'running' || status === 'queued';

/** What `event` does to a job with these facts. */
export function moveJob(facts: JobFacts, event: JobEvent): JobMove {
  const early = beforeTable(facts, event);
  if (early) return early;
  let cell = JOB_TABLE[facts.status][event.type];
  while (typeof cell === 'function') cell = cell(event);
  if (typeof cell === 'object')
    return 'idle' in cell ? { ok: false, idle: true, reason: cell.idle } : { ok: false, idle: false, reason: cell.refused };
  const target = cell === 'same' ? facts.status : cell;
  return afterTable(facts, event, target);
}

/** A pending cancel and a cancelled batch still collecting come first: they hold most events back. */
function beforeTable(facts: JobFacts, event: JobEvent): JobMove | undefined {
  const pending = facts.cancelPending;
  if (pending) {
    switch (event.type) {
      case 'undoCancel':
        // The job carries on as before: waiting to run again if it ran, paused or stopped as it was.
        return { ok: true, change: pending.wasActive ? { cancelPending: null, status: 'queued', stopReason: null } : { cancelPending: null } };
      case 'cancel':
        return { ok: false, idle: true, reason: BEING_CANCELLED };
      case 'cancelForGood':
        return { ok: true, change: { status: 'cancelled', finishedAt: event.at, cancelPending: null } };
      case 'rename':
      case 'stop':
      case 'finish':
      case 'start':
      case 'recover':
        return undefined;
      default:
        return { ok: false, idle: false, reason: BEING_CANCELLED };
    }
  }
  if (facts.collecting && (event.type === 'retry' || event.type === 'analyseRemaining' || event.type === 'remove')) {
    // Answers the batch finished before it was cancelled are still arriving (paid for): nothing may send them again or drop the job.
    return { ok: false, idle: false, reason: COLLECTING };
  }
  return undefined;
}

/** The move the table allows, with what its event says besides the status; the guards that count photos. */
function afterTable(facts: JobFacts, event: JobEvent, target: JobStatus): JobMove {
  const { counts } = facts;
  switch (event.type) {
    case 'start':
      return { ok: true, change: { status: target, stopReason: null, finishedAt: null, startedAt: event.at } };
    case 'pause':
      return { ok: true, change: { status: target } };
    case 'resume':
      return { ok: true, change: { status: target, stopReason: null } };
    case 'cancel':
      if (!event.grace) return { ok: true, change: { status: target, finishedAt: event.at } };
      // Paused at once; cancelled for good when the undo window closes.
      return {
        ok: true,
        change: { ...(isActive(facts.status) ? { status: 'paused' as const } : {}), cancelPending: { wasActive: isActive(facts.status) } },
      };
    case 'cancelForGood':
      return { ok: true, change: { status: target, finishedAt: event.at } };
    case 'stop':
      return { ok: true, change: { status: target, stopReason: event.reason } };
    case 'finish':
      // Failed only when nothing at all was answered; unreadable answers were answered.
      return { ok: true, change: { status: counts.failed > 0 && counts.done + counts.unparsed === 0 ? 'failed' : 'done', finishedAt: event.at } };
    case 'retry': {
      const none = event.items === 'failed' ? counts.failed === 0 : counts.unparsed === 0;
      if (none) return { ok: false, idle: true, reason: event.items === 'failed' ? 'No photos failed.' : 'Every answer matched the schema.' };
      return { ok: true, change: { status: target, stopReason: null, finishedAt: null } };
    }
    case 'recover':
      return { ok: true, change: { status: target, stopReason: event.reason } };
    case 'analyseRemaining':
      if (remainingOf(counts) === 0) return { ok: false, idle: false, reason: 'Every photo of this job was analysed.' };
      if (facts.remainderJob !== undefined) return { ok: false, idle: false, reason: `The remaining photos are already in “${facts.remainderJob}”.` };
      return { ok: true, change: {} };
    case 'rename':
    case 'remove':
      break;
  }
  return { ok: true, change: {} };
}

/** Makes a move's change on the record (the pending cancel is the engine's to keep). */
export function applyJobChange(record: Pick<JobRecord, 'status' | 'stopReason' | 'finishedAt' | 'startedAt'>, change: JobChange): void {
  if (change.status !== undefined) record.status = change.status;
  if (change.stopReason === null) delete record.stopReason;
  else if (change.stopReason !== undefined) record.stopReason = change.stopReason;
  if (change.finishedAt === null) delete record.finishedAt;
  else if (change.finishedAt !== undefined) record.finishedAt = change.finishedAt;
  if (change.startedAt !== undefined) record.startedAt ??= change.startedAt;
}
