import { expect, it } from 'vitest';
import { SummaryPolicy } from '../../../../../electron/core/analysis/output/summary-policy';
import { ManualClock } from '../../../../support/manual-clock';

function rewrites(total: number, msPerPhoto: number): number {
  const clock = new ManualClock(0);
  const policy = new SummaryPolicy(total, () => clock.now());
  let count = 0;
  for (let finished = 1; finished <= total; finished++) {
    clock.advance(msPerPhoto);
    if (policy.due(finished)) {
      policy.wrote(finished);
      count++;
    }
  }
  return count;
}

it('a fast job rewrites summary.json once per 5 % of progress, whatever its size', () => {
  expect(rewrites(1_000, 10)).toBe(20);
  expect(rewrites(10_000, 10)).toBe(20);
  expect(rewrites(100_000, 1)).toBe(20);
});

it('a slow job rewrites it every 30 s while something new finished, never without', () => {
  const clock = new ManualClock(0);
  const policy = new SummaryPolicy(10_000, () => clock.now());
  clock.advance(29_999);
  expect(policy.due(1)).toBe(false);
  clock.advance(1);
  expect(policy.due(1)).toBe(true);
  policy.wrote(1);
  clock.advance(60_000);
  expect(policy.due(1)).toBe(false);
  expect(policy.due(2)).toBe(true);
});

it('a tiny job rewrites it at every finished photo', () => {
  expect(rewrites(3, 10)).toBe(3);
});
