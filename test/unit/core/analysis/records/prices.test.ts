import { expect, it } from 'vitest';
import { discounted, estimateCost } from '../../../../../electron/core/analysis/records/prices';

const prices = [
  { model: 'gpt-4.1', inputPerMillion: 2, outputPerMillion: 8 },
  { model: 'gpt-4.1-mini', inputPerMillion: 0.4, outputPerMillion: 1.6 },
];

it('prices a job’s tokens from the row of its model: exact, else the longest prefix, else none', () => {
  expect(estimateCost('gpt-4.1', { input: 1_000_000, output: 500_000 }, prices)).toBe(2 + 4);
  expect(estimateCost('gpt-4.1-mini-2025-04-14', { input: 1_000_000, output: 0 }, prices)).toBeCloseTo(0.4, 10);
  expect(estimateCost('gpt-4.1-2025-04-14', { input: 0, output: 1_000_000 }, prices)).toBe(8);
  expect(estimateCost('o3', { input: 1, output: 1 }, prices)).toBeNull();
});

it('a batch job costs its discount of the list price; no price stays none', () => {
  expect(discounted(6, 0.5)).toBe(3);
  expect(discounted(null, 0.5)).toBeNull();
});
