/**
 * What the person may do with a job now, with the reason when not: the one
 * place that knows which job buttons apply, so the window shows them from
 * `JobSummaryView.can` and never from `status`.
 */
import type { Ability, JobAbilities, JobCounts, JobStatus } from '../../contract';

export interface JobFacts {
  status: JobStatus;
  counts: JobCounts;
  /** A cancel is waiting out its undo window. */
  cancelPending: boolean;
  /** The name of the job already analysing this one's remaining photos, if any. */
  remainderJob?: string | undefined;
  /** A cancelled batch job whose finished answers are still being collected from OpenAI. */
  collecting?: boolean;
}

const yes: Ability = { allowed: true, reason: null };
const no = (reason: string): Ability => ({ allowed: false, reason });

const FINISHED: readonly JobStatus[] = ['done', 'failed', 'cancelled'];

/** Photos of the job that were neither analysed nor set aside as unreadable. */
export function remainingOf(counts: JobCounts): number {
  return counts.pending + counts.inFlight + counts.failed;
}

export function jobAbilities({ status, counts, cancelPending, remainderJob, collecting }: JobFacts): JobAbilities {
  const active = status === 'running' || status === 'queued';
  const finished = FINISHED.includes(status);
  const remaining = remainingOf(counts);
  if (cancelPending) {
    const cancelling = no('This job is being cancelled.');
    return {
      pause: cancelling,
      resume: cancelling,
      cancel: cancelling,
      undoCancel: yes,
      retryFailed: cancelling,
      retryUnparsed: cancelling,
      analyseRemaining: cancelling,
      rename: yes,
      remove: cancelling,
    };
  }
  const abilities: JobAbilities = {
    pause: active ? yes : no(status === 'paused' ? 'This job is already paused.' : 'Only a running or waiting job can be paused.'),
    resume: status === 'paused' || status === 'stopped' ? yes : no(active ? 'This job is already running.' : 'A finished job can’t be resumed.'),
    cancel: active || status === 'paused' || status === 'stopped' ? yes : no('This job has already ended.'),
    undoCancel: no('Nothing to undo.'),
    retryFailed:
      counts.failed === 0
        ? no('No photos failed.')
        : status === 'cancelled'
          ? no('This job was cancelled: analyse the remaining photos as a new job instead.')
          : active
            ? no('Wait until the job has finished.')
            : yes,
    retryUnparsed:
      counts.unparsed === 0
        ? no('Every answer matched the schema.')
        : active
          ? no('Wait until the job has finished.')
          : status === 'cancelled'
            ? no('This job was cancelled.')
            : yes,
    analyseRemaining:
      status !== 'cancelled' && status !== 'stopped'
        ? no('Only a cancelled or stopped job has photos left to analyse.')
        : remaining === 0
          ? no('Every photo of this job was analysed.')
          : remainderJob !== undefined
            ? no(`The remaining photos are already in “${remainderJob}”.`)
            : yes,
    rename: yes,
    remove: finished || status === 'stopped' ? yes : no('Pause and cancel the job first; a job can be removed once it has ended.'),
  };
  if (collecting) {
    // Answers the batch finished before it was cancelled are still arriving (paid for): nothing may send them again or drop the job.
    const wait = no('Loupe is still collecting the answers the batch finished before it was cancelled.');
    return { ...abilities, retryFailed: wait, retryUnparsed: wait, analyseRemaining: wait, remove: wait };
  }
  return abilities;
}
