/**
 * When a run ends: whether it must run again (photos were given back while it
 * wound down), the stop reason its failure gives, and what the person is
 * told. What the job becomes is the job lifecycle's (finish, stop); pure.
 */
import type { AnalysisError } from '../records/analysis-error';
import type { JobChange } from '../lifecycle/job-lifecycle';
import type { RunOutcome } from '../pacing/scheduler';
import type { JobCounts } from '../../../contract';
import type { JobRecord, StopReason } from '../records/job-record';

/** The run drained while the job still runs with photos waiting (given back while it wound down): run again instead of ending. */
export function runsAgain(outcome: RunOutcome, record: Pick<JobRecord, 'status'>, counts: JobCounts): boolean {
  return outcome === 'drained' && record.status === 'running' && counts.pending + counts.inFlight > 0;
}

/** The stop reason a run's failure gives (a link where the person can fix it). */
export function stopReasonOf(error: AnalysisError | undefined): StopReason {
  return {
    code: error?.code ?? 'stopped',
    message: error?.message ?? 'The job stopped.',
    ...(error?.details.link ? { link: { ...error.details.link } } : {}),
  };
}

/** The notification for a run's ending, when it ended the job. */
export function endingNotice(change: JobChange, name: string, counts: JobCounts): [title: string, body: string] | undefined {
  switch (change.status) {
    case 'done':
      return ['Analysis finished', `${name}: ${outcomeText(counts)}.`];
    case 'failed':
      return ['Analysis failed', `${name}: ${outcomeText(counts)}.`];
    case 'stopped':
      return ['Analysis stopped', change.stopReason?.message ?? 'The job stopped.'];
    default:
      return undefined;
  }
}

/** "7 analysed, 2 unreadable answers, 1 failed": an unparsed answer is not counted as analysed. */
export function outcomeText(counts: JobCounts): string {
  const parts = [`${counts.done} analysed`];
  if (counts.unparsed) parts.push(`${counts.unparsed} unreadable answer${counts.unparsed === 1 ? '' : 's'}`);
  if (counts.failed) parts.push(`${counts.failed} failed`);
  return parts.join(', ');
}
