/**
 * Which folder a job writes into. Each job marks its folder with
 * `.loupe-job.json`; a folder that already holds another job's results (that
 * mark, or an older job's summary.json) is never written into: the job gets a
 * new sub-folder instead, so nothing of the first job is overwritten. The
 * mark is also how discovery knows not to analyse Loupe's own output when a
 * parent folder is dropped.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { JOB_MARK, jobInFolder } from '../records/job-mark';

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

/**
 * Temp files `writeAtomic` left behind when the process died mid-write (`<name>.<pid>.<random>.tmp`).
 * Listed off the main thread: a 100,000-photo job's folder took about 60 ms to list synchronously.
 */
export async function removeStaleTempFiles(outputDir: string): Promise<number> {
  let removed = 0;
  let names: string[];
  try {
    names = await readdir(outputDir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const temp = /\.(json|csv)\.(\d+)\.[a-z0-9]+\.tmp$/.exec(name);
    // This process's own temp files are writes in progress (the listing is not instant), never a dead run's.
    if (!temp || Number(temp[2]) === process.pid) continue;
    try {
      await unlink(join(outputDir, name));
      removed++;
    } catch {
      /* not ours to worry about */
    }
  }
  return removed;
}
