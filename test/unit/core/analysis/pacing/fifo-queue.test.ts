import { expect, it } from 'vitest';
import { FifoQueue } from '../../../../../electron/core/analysis/pacing/fifo-queue';

it('gives items back first in, first out across compactions, with pushes in between', () => {
  const queue = new FifoQueue(Array.from({ length: 5000 }, (_, i) => `a${i}`));
  const out: string[] = [];
  for (let i = 0; i < 3000; i++) out.push(queue.take()!);
  queue.push(['b0', 'b1']);
  expect(queue.size).toBe(2002);
  for (let item = queue.take(); item !== undefined; item = queue.take()) out.push(item);
  expect(out).toEqual([...Array.from({ length: 5000 }, (_, i) => `a${i}`), 'b0', 'b1']);
  expect(queue.size).toBe(0);
  expect(queue.take()).toBeUndefined();
});

it('clear empties it; it takes new items afterwards', () => {
  const queue = new FifoQueue(['x', 'y']);
  queue.clear();
  expect(queue.size).toBe(0);
  queue.push(['z']);
  expect(queue.take()).toBe('z');
});
