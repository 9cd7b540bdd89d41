import { describe, expect, it } from 'vitest';
import type { JobCounts } from '../../../../../electron/contract';
import { AnalysisError } from '../../../../../electron/core/analysis/records/analysis-error';
import { endingNotice, outcomeText, runsAgain, stopReasonOf } from '../../../../../electron/core/analysis/runs/run-ending';

const counts = (over: Partial<JobCounts> = {}): JobCounts => ({
  total: 10,
  done: 7,
  failed: 1,
  skipped: 0,
  pending: 0,
  inFlight: 0,
  unparsed: 2,
  notRun: 0,
  ...over,
});

describe('when a run ends', () => {
  it('runs again when it drained while photos were given back to a job still running', () => {
    expect(runsAgain('drained', { status: 'running' }, counts({ pending: 1 }))).toBe(true);
    expect(runsAgain('drained', { status: 'running' }, counts())).toBe(false);
    expect(runsAgain('drained', { status: 'paused' }, counts({ pending: 1 }))).toBe(false);
    expect(runsAgain('stopped', { status: 'running' }, counts({ pending: 1 }))).toBe(false);
  });

  it('the stop reason is the failure’s code, message and link', () => {
    const error = new AnalysisError('usage_limit', 'Usage limit reached.', {
      disposition: 'stop_job',
      link: { label: 'Manage usage', url: 'https://u' },
    });
    expect(stopReasonOf(error)).toEqual({ code: 'usage_limit', message: 'Usage limit reached.', link: { label: 'Manage usage', url: 'https://u' } });
    expect(stopReasonOf(undefined)).toEqual({ code: 'stopped', message: 'The job stopped.' });
  });

  it('tells the person how the job ended, and says nothing for a pause or a cancel', () => {
    expect(endingNotice({ status: 'done' }, 'Kitchen', counts())).toEqual([
      'Analysis finished',
      'Kitchen: 7 analysed, 2 unreadable answers, 1 failed.',
    ]);
    expect(endingNotice({ status: 'failed' }, 'Kitchen', counts({ done: 0, unparsed: 0, failed: 10 }))).toEqual([
      'Analysis failed',
      'Kitchen: 0 analysed, 10 failed.',
    ]);
    expect(endingNotice({ status: 'stopped', stopReason: { code: 'x', message: 'Out of quota.' } }, 'K', counts())).toEqual([
      'Analysis stopped',
      'Out of quota.',
    ]);
    expect(endingNotice({ status: 'paused' }, 'K', counts())).toBeUndefined();
    expect(endingNotice({}, 'K', counts())).toBeUndefined();
  });

  it('an unreadable answer is not counted as analysed', () => {
    expect(outcomeText(counts({ unparsed: 1, failed: 0 }))).toBe('7 analysed, 1 unreadable answer');
    expect(outcomeText(counts({ unparsed: 0, failed: 0 }))).toBe('7 analysed');
  });
});
