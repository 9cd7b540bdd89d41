/**
 * A job's output folder as one value: the folder and every file Loupe writes
 * in it, named here once. Made when the folder is claimed
 * (output/output-folder.ts), and again from the saved folder when a job is
 * read back.
 */
import { join } from 'node:path';

/** The mark naming the job whose results a folder holds: a folder with another job's mark is never written into. */
export const JOB_MARK = '.loupe-job.json';
export const SUMMARY_FILE = 'summary.json';
const CSV_FILE = 'results.csv';

export interface OutputFolder {
  readonly dir: string;
  /** results.csv: a row per finished or skipped photo. */
  readonly csv: string;
  /** summary.json: the job's state and, once it stops, every photo's. */
  readonly summary: string;
  /** The job's mark. */
  readonly mark: string;
  /** A photo's result file, `<name>-<hash8>.json`. */
  item(name: string): string;
}

export function outputFolder(dir: string): OutputFolder {
  return {
    dir,
    csv: join(dir, CSV_FILE),
    summary: join(dir, SUMMARY_FILE),
    mark: join(dir, JOB_MARK),
    item: (name) => join(dir, name),
  };
}
