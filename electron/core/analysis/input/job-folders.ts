/**
 * A folder that holds a job's results: recognised by the job's mark, or an
 * older job's summary.json. Discovery does not analyse Loupe's own output
 * when a parent folder is dropped, and a new job never writes into such a
 * folder (output/output-folder.ts).
 */
import { readFile } from 'node:fs/promises';
import { outputFolder } from '../records/output-files';

/** The id of the job whose output this folder holds, if any. */
export async function jobInFolder(dir: string): Promise<string | undefined> {
  const folder = outputFolder(dir);
  for (const [file, read] of [
    [folder.mark, (v: { job_id?: unknown } | null) => v?.job_id],
    [folder.summary, (v: { loupe?: { job_id?: unknown } } | null) => v?.loupe?.job_id],
  ] as const) {
    try {
      const mark = JSON.parse(await readFile(file, 'utf8')) as Parameters<typeof read>[0];
      const id: unknown = read(mark);
      if (typeof id === 'string') return id;
    } catch {
      /* no such mark */
    }
  }
  return undefined;
}
