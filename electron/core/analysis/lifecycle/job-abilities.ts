/**
 * What the person may do with a job now, with the reason when not: each
 * button of a job asks the job lifecycle (lifecycle/job-lifecycle.ts) what
 * its event would do, the same question the engine asks before it acts, so
 * the window shows them from `JobSummaryView.can` and never from `status`.
 */
import type { Ability, JobAbilities } from '../../../contract';
import { type JobEvent, type JobFacts, moveJob } from './job-lifecycle';

export { remainingOf } from './job-lifecycle';
export type { JobFacts } from './job-lifecycle';

/** The event each button raises. */
const BUTTONS: Readonly<Record<keyof JobAbilities, JobEvent>> = {
  pause: { type: 'pause' },
  resume: { type: 'resume' },
  cancel: { type: 'cancel', grace: true, at: 0 },
  undoCancel: { type: 'undoCancel' },
  retryFailed: { type: 'retry', items: 'failed' },
  retryUnparsed: { type: 'retry', items: 'unparsed' },
  analyseRemaining: { type: 'analyseRemaining' },
  rename: { type: 'rename' },
  remove: { type: 'remove' },
};

export function jobAbilities(facts: JobFacts): JobAbilities {
  const can = {} as Record<keyof JobAbilities, Ability>;
  for (const [name, event] of Object.entries(BUTTONS) as Array<[keyof JobAbilities, JobEvent]>) {
    const move = moveJob(facts, event);
    can[name] = move.ok ? { allowed: true, reason: null } : { allowed: false, reason: move.reason };
  }
  return can;
}
