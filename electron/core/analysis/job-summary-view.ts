/**
 * What the service adds to the engine's line for a job: the cost (at the
 * Batch API's discount for a batch job), where a batch is at OpenAI, the
 * requests waiting to be sent again, the undo window, and what the person
 * may do with the job now (lifecycle/job-abilities.ts), so the window never works it out.
 */
import type { JobSummaryView, PriceRow } from '../../contract';
import { jobAbilities } from './lifecycle/job-abilities';
import { discounted, estimateCost } from './records/prices';
import type { AnalysisEngine } from './runs/engine';
import type { JobSummary } from './records/job-record';

export type SummaryExtras = Pick<JobSummaryView, 'costUsd' | 'retrying' | 'undoCancelUntil' | 'can' | 'batch'>;

export function summaryExtras(engine: AnalysisEngine, job: JobSummary, prices: PriceRow[]): SummaryExtras {
  const listCost = estimateCost(job.model, job.tokens, prices);
  const priceFactor = engine.priceFactor(job.id);
  const batch = engine.batchOf(job.id);
  const facts = engine.factsOf(job.id);
  return {
    costUsd: discounted(listCost, priceFactor),
    batch: batch && { ...batch, priceFactor, liveCostUsd: listCost },
    retrying: engine.retryingOf(job.id),
    undoCancelUntil: engine.undoCancelUntil(job.id),
    // The job's line was read a moment ago: the counts it shows are the ones its abilities follow from.
    can: jobAbilities({ ...facts!, status: job.status, counts: job.counts }),
  };
}
