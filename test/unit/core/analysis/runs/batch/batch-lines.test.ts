/** Batch input files are split at the Batch API's request and byte limits, keeping every line in order. */
import { describe, expect, it } from 'vitest';
import { splitIntoFiles } from '../../../../../../electron/core/analysis/runs/batch/batch-lines';

describe('batch JSONL files', () => {
  it('splits input files at the request and byte limits', () => {
    const lines = Array.from({ length: 7 }, (_, i) => ({ customId: `i${i + 1}`, body: { model: 'm', input: 'x'.repeat(100) } }));
    expect(splitIntoFiles(lines, { maxRequests: 3, maxBytes: 1e9 }).map((p) => p.customIds.length)).toEqual([3, 3, 1]);
    const bySize = splitIntoFiles(lines, { maxRequests: 100, maxBytes: 500 });
    expect(bySize.length).toBeGreaterThan(1);
    for (const part of bySize) expect(Buffer.byteLength(part.content)).toBeLessThanOrEqual(500);
    expect(bySize.flatMap((p) => p.customIds)).toEqual(lines.map((l) => l.customId));
  });
});
