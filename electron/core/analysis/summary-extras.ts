/**
 * What the service adds to the engine's line for a job: the cost (at the
 * Batch API's discount for a batch job), where a batch is at OpenAI, the
 * requests waiting to be sent again, the undo window, and what the person
 * may do with the job now (job-abilities.ts), so the window never works it out.
 */
import type { JobSummaryView, PriceRow } from '../../contract';
import { jobAbilities } from './job-abilities';
import { discounted, estimateCost } from './price';
import type { AnalysisEngine } from './run/engine';
import type { JobSummary } from './types';

export type SummaryExtras = Pick<JobSummaryView, 'costUsd' | 'retrying' | 'undoCancelUntil' | 'can' | 'batch'>;

export function summaryExtras(
  engine: AnalysisEngine,
  job: JobSummary,
  context: { prices: PriceRow[]; undoCancelUntil: number | null; remainderJob: string | undefined },
): SummaryExtras {
  const listCost = estimateCost(job.model, job.tokens, context.prices);
  const priceFactor = engine.priceFactor(job.id);
  const batch = engine.batchOf(job.id);
  return {
    costUsd: discounted(listCost, priceFactor),
    batch: batch && { ...batch, priceFactor, liveCostUsd: listCost },
    retrying: engine.retryingOf(job.id),
    undoCancelUntil: context.undoCancelUntil,
    can: jobAbilities({
      status: job.status,
      counts: job.counts,
      cancelPending: context.undoCancelUntil !== null,
      remainderJob: context.remainderJob,
      collecting: batch?.phase === 'cancelling',
    }),
  };
}
