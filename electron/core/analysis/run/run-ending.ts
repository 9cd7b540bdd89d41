/**
 * How a run's outcome becomes the job's state: what the job becomes when a
 * run ends (done, failed, stopped with its reason, cancelled, or left as it
 * is for a pause), and what the person is told. Pure, so the engine only
 * applies it.
 */
import type { AnalysisError } from '../analysis-error';
import type { RunOutcome } from './scheduler';
import type { JobCounts, JobRecord } from '../types';

export type Ending = Partial<Pick<JobRecord, 'status' | 'finishedAt' | 'stopReason'>>;

export interface EndingDecision {
  /** Items were added while the run wound down (retry failed): run again instead. */
  again: boolean;
  next: Ending;
  notice?: [title: string, body: string];
}

export function decideEnding(args: {
  outcome: RunOutcome;
  record: Pick<JobRecord, 'status' | 'name' | 'finishedAt'>;
  counts: JobCounts;
  stopError: AnalysisError | undefined;
  now: number;
}): EndingDecision {
  const { outcome, record, counts, now } = args;
  if (outcome === 'drained' && record.status === 'running') {
    if (counts.pending + counts.inFlight > 0) return { again: true, next: {} };
    const status = counts.failed > 0 && counts.done + counts.unparsed === 0 ? 'failed' : 'done';
    return {
      again: false,
      next: { status, finishedAt: now },
      notice: [status === 'done' ? 'Analysis finished' : 'Analysis failed', `${record.name}: ${outcomeText(counts)}.`],
    };
  }
  if (outcome === 'stopped' && record.status === 'running') {
    const error = args.stopError;
    const stopReason = {
      code: error?.code ?? 'stopped',
      message: error?.message ?? 'The job stopped.',
      ...(error?.details.link ? { link: { ...error.details.link } } : {}),
    };
    return { again: false, next: { status: 'stopped', stopReason }, notice: ['Analysis stopped', stopReason.message] };
  }
  if (outcome === 'cancelled') return { again: false, next: { status: 'cancelled', finishedAt: record.finishedAt ?? now } };
  // 'paused' (or a resume/cancel that arrived while the run wound down) keeps the status already set.
  return { again: false, next: {} };
}

/** "7 analysed, 2 unreadable answers, 1 failed": an unparsed answer is not counted as analysed. */
export function outcomeText(counts: JobCounts): string {
  const parts = [`${counts.done} analysed`];
  if (counts.unparsed) parts.push(`${counts.unparsed} unreadable answer${counts.unparsed === 1 ? '' : 's'}`);
  if (counts.failed) parts.push(`${counts.failed} failed`);
  return parts.join(', ');
}
