import { expect, it } from 'vitest';
import { linkedSignal } from '../../../../../electron/core/analysis/api/linked-signal';

it('aborts with the reason of whichever source aborts first', () => {
  const a = new AbortController();
  const b = new AbortController();
  const linked = linkedSignal([a.signal, undefined, b.signal]);
  expect(linked.signal.aborted).toBe(false);
  b.abort('deadline');
  expect(linked.signal.aborted).toBe(true);
  expect(linked.signal.reason).toBe('deadline');
  a.abort('later');
  expect(linked.signal.reason).toBe('deadline');
});

it('is aborted at once when a source already is', () => {
  const a = new AbortController();
  a.abort('gone');
  expect(linkedSignal([a.signal]).signal.reason).toBe('gone');
});

it('once unlinked, a source aborting no longer reaches it', () => {
  const a = new AbortController();
  const linked = linkedSignal([a.signal]);
  linked.unlink();
  a.abort();
  expect(linked.signal.aborted).toBe(false);
});
