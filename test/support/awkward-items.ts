/** Item records whose paths and messages are awkward to serialise (quotes, line breaks), and the text a chunked writer yields. */
import type { ItemRecord } from '../../electron/core/analysis/records/item-record';

export const awkwardItems = (n: number): ItemRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `i${i + 1}`,
    path: `/p/"odd"\n${i + 1}.jpg`,
    status: i % 4 === 0 ? 'failed' : 'done',
    hash: 'ab'.repeat(32),
    outputFile: `${i + 1}.json`,
    ...(i % 4 === 0 ? { error: { code: 'x', message: 'a "quoted"\nline' } } : {}),
    ...(i % 5 === 1 ? { duplicateOf: 'i1' } : {}),
  }));

/** Everything an async iterable of text yields, joined. */
export async function textOf(chunks: AsyncIterable<string>): Promise<string> {
  let all = '';
  for await (const chunk of chunks) all += chunk;
  return all;
}
