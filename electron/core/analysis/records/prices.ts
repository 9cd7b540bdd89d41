/**
 * What the window offers and what a job costs: the presets as the window
 * lists them, and a job's tokens priced from the price table (batch jobs at
 * the Batch API's discount).
 */
import type { PresetView, PriceRow } from '../../../contract';

export const PRESETS: PresetView[] = [
  { id: 'describe', label: 'Describe', description: 'A short description of each photo, with tags, subjects, setting and visible quality problems.' },
  {
    id: 'damage',
    label: 'Damage assessment',
    description:
      'Building and bathroom damage survey: each damage with type, location, severity 1–5, probable cause, recommended action and urgency.',
  },
  { id: 'custom', label: 'Custom', description: 'Your own prompt, with an optional JSON schema for the answer.' },
];

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
