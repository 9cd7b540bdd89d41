/**
 * What a job costs: its tokens priced from the price table in Settings
 * (batch jobs at the Batch API's discount).
 */
import type { PriceRow } from '../../../contract';

/** USD for a job's tokens, from the price row whose model matches (exactly, else the longest prefix). */
export function estimateCost(model: string, tokens: { input: number; output: number }, prices: PriceRow[]): number | null {
  const row =
    prices.find((p) => p.model === model) ?? [...prices].sort((a, b) => b.model.length - a.model.length).find((p) => model.startsWith(p.model));
  if (!row) return null;
  return (tokens.input * row.inputPerMillion + tokens.output * row.outputPerMillion) / 1_000_000;
}

/** What a job's tokens cost: batch jobs are billed at the Batch API's discount (`priceFactor`). */
export function discounted(cost: number | null, factor: number): number | null {
  return cost === null ? null : cost * factor;
}
