/**
 * summary.json in the job's output folder: the job's settings, status,
 * counts and tokens, and (once the job stops) every photo's status and file.
 * While the job runs it holds progress only (summary-policy.ts says when it is
 * rewritten); it is written a slice of photos at a time, never as one long
 * task on the main thread.
 */
import type { ItemRecord } from '../records/item-record';
import type { JobRecord, StopReason } from '../records/job-record';

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export interface Summary {
  loupe: { version: 1; job_id: string };
  name: string;
  preset: string;
  model: string;
  detail: string;
  status: string;
  stop_reason: StopReason | null;
  created_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
  counts: Record<string, number>;
  tokens: { input: number; output: number };
  /** Every photo; left out while the job runs (results.csv lists each finished photo meanwhile), written when it stops. */
  items?: Array<{
    path: string;
    status: string;
    output_file: string | null;
    sha256: string | null;
    duplicate_of: string | null;
    error: { code: string; message: string } | null;
    parse_error: string | null;
  }>;
}

export function buildSummary(job: JobRecord, counts: Record<string, number>, now: number, withItems = true): Summary {
  const summary: Summary = {
    loupe: { version: 1, job_id: job.id },
    name: job.name,
    preset: job.spec.preset,
    model: job.spec.model,
    detail: job.spec.detail,
    status: job.status,
    stop_reason: job.stopReason ?? null,
    created_at: iso(job.createdAt),
    started_at: iso(job.startedAt),
    finished_at: iso(job.finishedAt),
    updated_at: new Date(now).toISOString(),
    counts,
    tokens: job.tokens,
  };
  if (!withItems) return summary;
  const byId = new Map(job.items.map((i) => [i.id, i]));
  summary.items = job.items.map((item) => summaryItem(item, (id) => byId.get(id)?.path));
  return summary;
}

type SummaryItem = NonNullable<Summary['items']>[number];

function summaryItem(item: ItemRecord, pathOf: (id: string) => string | undefined): SummaryItem {
  return {
    path: item.path,
    status: item.status,
    output_file: item.outputFile ?? null,
    sha256: item.hash ?? null,
    duplicate_of: item.duplicateOf ? (pathOf(item.duplicateOf) ?? null) : null,
    error: item.error ?? null,
    parse_error: item.parseError ?? null,
  };
}

/**
 * summary.json's text, a slice of photos at a time, with `nextTurn` awaited
 * between slices: the same text as `JSON.stringify(buildSummary(…), null, 2)`
 * and a newline, without one long task on the main thread for a large job.
 */
export async function* summaryChunks(
  job: JobRecord,
  counts: Record<string, number>,
  now: number,
  withItems: boolean,
  pathOf: (id: string) => string | undefined,
  nextTurn: () => Promise<void>,
  slice = 2000,
): AsyncGenerator<string> {
  const head = JSON.stringify(buildSummary(job, counts, now, false), null, 2);
  if (!withItems) {
    yield `${head}\n`;
    return;
  }
  // The head ends with "\n}": the items go in as its last field, indented as JSON.stringify would.
  yield `${head.slice(0, -2)},\n  "items": [`;
  const { items } = job;
  for (let start = 0; start < items.length; start += slice) {
    if (start > 0) await nextTurn();
    const text = items
      .slice(start, start + slice)
      .map((item) => `\n    ${JSON.stringify(summaryItem(item, pathOf), null, 2).replace(/\n/g, '\n    ')}`)
      .join(',');
    yield `${start > 0 ? ',' : ''}${text}`;
  }
  yield items.length > 0 ? '\n  ]\n}\n' : ']\n}\n';
}
