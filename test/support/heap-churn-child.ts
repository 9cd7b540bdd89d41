/**
 * A child for process-memory.test.ts, allocating the way a running job does:
 * batches of short-lived records, the latest twenty of which are still in
 * use (requests in flight, answers being written) when the collector runs.
 * Prints the largest V8 heap it saw, in bytes.
 *
 *   node --import tsx test/support/heap-churn-child.ts [items in memory, one fitHeapGrowth call each]…
 */
import { fitHeapGrowth } from '../../electron/shell/process-memory';

for (const n of process.argv.slice(2)) fitHeapGrowth(Number(n));
const inUse: Array<Array<{ path: string; answer: number[] }>> = [];
let peak = 0;
for (let round = 0; round < 200; round++) {
  const batch = [];
  for (let i = 0; i < 20_000; i++) batch.push({ path: `/photos/${round}/${i}.jpg`, answer: [i, round] });
  inUse.push(batch);
  if (inUse.length > 20) inUse.shift();
  peak = Math.max(peak, process.memoryUsage().heapTotal);
}
process.stdout.write(`${peak}\n`);
