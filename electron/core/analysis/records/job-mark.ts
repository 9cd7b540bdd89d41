/**
 * The mark a job leaves in its output folder, `.loupe-job.json`, naming the
 * job: how a folder holding another job's results is recognised (that mark,
 * or an older job's summary.json), so it is never written into, and how
 * discovery knows not to analyse Loupe's own output when a parent folder is
 * dropped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const JOB_MARK = '.loupe-job.json';

/** The id of the job whose output this folder holds, if any. */
export function jobInFolder(dir: string): string | undefined {
  for (const [file, read] of [
    [JOB_MARK, (v: { job_id?: unknown } | null) => v?.job_id],
    ['summary.json', (v: { loupe?: { job_id?: unknown } } | null) => v?.loupe?.job_id],
  ] as const) {
    try {
      const mark = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Parameters<typeof read>[0];
      const id: unknown = read(mark);
      if (typeof id === 'string') return id;
    } catch {
      /* no such mark */
    }
  }
  return undefined;
}
