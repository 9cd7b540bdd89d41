/**
 * Whether Loupe ended abnormally last time: a mark written when the engine
 * opens and removed when it is disposed cleanly. A job that was running when
 * the mark was left behind may be what crashed Loupe, so it is not resumed
 * by itself (the crash-loop guard).
 */
import { access, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const markerOf = (jobsDir: string): string => join(jobsDir, 'open.marker');

/** Marks Loupe as running; true when the last run never cleared its mark (it ended abnormally). */
export async function markOpen(jobsDir: string): Promise<boolean> {
  const marker = markerOf(jobsDir);
  const crashed = await access(marker).then(
    () => true,
    () => false,
  );
  await writeFile(marker, String(process.pid));
  return crashed;
}

/** A clean end: the next start resumes a running job by itself. */
export async function clearOpenMark(jobsDir: string): Promise<void> {
  await rm(markerOf(jobsDir), { force: true });
}
