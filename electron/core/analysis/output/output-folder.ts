/**
 * Which folder a job writes into. Each job marks its folder with
 * `.loupe-job.json`; a folder that already holds another job's results (that
 * mark, or an older job's summary.json) is never written into: the job gets a
 * new sub-folder instead, so nothing of the first job is overwritten. The
 * mark is also how discovery knows not to analyse Loupe's own output when a
 * parent folder is dropped.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const JOB_MARK = '.loupe-job.json';

/** A folder name that is safe on every OS. */
export function safeFolderName(name: string): string {
  const cleaned = name
    // eslint-disable-next-line no-control-regex -- control characters are what must go
    .replace(/[<>:"/\\|?*\u0000-\u001f]/g, '-')
    .replace(/\s+/g, ' ')
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .slice(0, 100);
  return cleaned || 'Analysis';
}

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

/** `dir` itself when it holds no other job's output, else a fresh `<dir>/<name>[ n]`; marked for `jobId`. Throws when unwritable. */
export function claimOutputFolder(dir: string, jobId: string, name: string): string {
  let target = dir;
  const holder = jobInFolder(dir);
  if (holder !== undefined && holder !== jobId) {
    const base = join(dir, safeFolderName(name));
    target = base;
    for (let n = 2; existsSync(target); n++) target = `${base} ${n}`;
  }
  mkdirSync(target, { recursive: true });
  writeFileSync(join(target, JOB_MARK), `${JSON.stringify({ loupe: 1, job_id: jobId })}\n`);
  return target;
}
