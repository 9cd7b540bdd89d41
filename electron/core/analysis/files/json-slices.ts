/**
 * A long JSON list written and read a slice at a time, with a turn of the
 * event loop between slices, so a large job's items or summary never hold
 * the main thread for long.
 */

/** Items per slice when a large list is serialised in chunks: a few milliseconds of work each. */
export const SLICE = 2000;

/** Lets other work run between slices of a long serialisation. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * `JSON.stringify(list)` a slice at a time, each slice on a line of its own
 * (JSON allows the line break between elements, and never has one inside a
 * string), so `parseJsonArraySlices` can read it back a slice at a time. The
 * list is read as the slices are made, so an element changed meanwhile is
 * written as it is then.
 */
export async function* jsonArrayChunks<T>(list: readonly T[]): AsyncGenerator<string> {
  yield '[';
  for (let start = 0; start < list.length; start += SLICE) {
    if (start > 0) await nextTurn();
    const slice = JSON.stringify(list.slice(start, start + SLICE));
    yield `${start > 0 ? ',\n' : ''}${slice.slice(1, -1)}`;
  }
  yield ']';
}

/**
 * The array `jsonArrayChunks` wrote, parsed a line (a slice) at a time with a
 * turn of the event loop between lines: a 100,000-photo job's items (about
 * 40 MB) in one `JSON.parse` held the main thread for about 300 ms. Text on
 * one line (older files, small lists) is parsed in one go. Throws a
 * SyntaxError on anything that is not such an array.
 */
export async function parseJsonArraySlices(text: string): Promise<unknown[]> {
  if (!text.includes('\n')) {
    const whole = JSON.parse(text) as unknown;
    if (!Array.isArray(whole)) throw new SyntaxError('not a JSON array');
    return whole as unknown[];
  }
  const trimmed = text.trim();
  if (!trimmed.startsWith('[') || !trimmed.endsWith(']')) throw new SyntaxError('not a JSON array');
  const out: unknown[] = [];
  let at = 1;
  const end = trimmed.length - 1;
  while (at < end) {
    if (out.length > 0) await nextTurn();
    const lineEnd = trimmed.indexOf('\n', at);
    const stop = lineEnd < 0 ? end : lineEnd;
    // A slice's elements, with the comma that joins it to the next one (if any) left off.
    const body = trimmed.slice(at, stop).trimEnd().replace(/,$/, '');
    const slice = JSON.parse(`[${body}]`) as unknown[];
    for (const element of slice) out.push(element);
    at = stop + 1;
  }
  return out;
}
