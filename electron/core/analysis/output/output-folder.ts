/**
 * Which folder a job writes into, claimed once when the job is created. Each
 * job marks its folder (records/output-files.ts); a folder that already holds
 * another job's results (its mark, or an older job's summary.json) is never
 * written into: the job gets a new sub-folder instead, so nothing of the
 * first job is overwritten. The mark is also how discovery knows not to
 * analyse Loupe's own output when a parent folder is dropped.
 */
import { constants } from 'node:fs';
import { access, mkdir, readdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { uniqueName } from '../files/unique-name';
import { jobInFolder } from '../input/job-folders';
import { type OutputFolder, outputFolder } from '../records/output-files';

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

/** Where a new job's results go: into a folder the person picked, or a new folder named after the job under a root. */
export type OutputChoice = { into: string } | { under: string };

/**
 * Claims the job's folder and marks it for `jobId`: the picked folder itself
 * when it holds no other job's results, else a new `<name>` (`<name> 2`, …)
 * inside it; or a new `<root>/<name>`. Throws when the folder can't be
 * created or written.
 */
export async function claimOutputFolder(choice: OutputChoice, jobId: string, name: string): Promise<OutputFolder> {
  const parent = 'into' in choice ? choice.into : choice.under;
  await mkdir(parent, { recursive: true });
  await access(parent, constants.W_OK);
  const holder = 'into' in choice ? await jobInFolder(choice.into) : undefined;
  const dir =
    'into' in choice && (holder === undefined || holder === jobId)
      ? choice.into
      : // Made as it is chosen, so two jobs started at once never share one.
        await uniqueName(join(parent, safeFolderName(name)), async (candidate) => !(await madeNow(candidate)));
  const folder = outputFolder(dir);
  await writeFile(folder.mark, `${JSON.stringify({ loupe: 1, job_id: jobId })}\n`);
  return folder;
}

/** Makes the folder; false when something of that name was already there. */
async function madeNow(dir: string): Promise<boolean> {
  try {
    await mkdir(dir);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Temp files `writeAtomic` left behind when the process died mid-write (`<name>.<pid>.<random>.tmp`).
 * Listed off the main thread: a 100,000-photo job's folder took about 60 ms to list synchronously.
 */
export async function removeStaleTempFiles(folder: OutputFolder): Promise<number> {
  let removed = 0;
  let names: string[];
  try {
    names = await readdir(folder.dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const temp = /\.(json|csv)\.(\d+)\.[a-z0-9]+\.tmp$/.exec(name);
    // This process's own temp files are writes in progress (the listing is not instant), never a dead run's.
    if (!temp || Number(temp[2]) === process.pid) continue;
    try {
      await unlink(folder.item(name));
      removed++;
    } catch {
      /* not ours to worry about */
    }
  }
  return removed;
}
