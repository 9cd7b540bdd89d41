import { basename } from 'node:path';

/**
 * A job's name when the person gives none: the first photo or folder, how many
 * more, and when it started (UTC, minutes, with `.` for `:` so it is a valid
 * folder name everywhere). The output folder is named after it.
 */
export function defaultJobName(paths: string[], startedAt: number): string {
  const stamp = new Date(startedAt).toISOString().slice(0, 16).replace('T', ' ').replace(':', '.');
  const first = basename(paths[0] ?? '') || 'Photos';
  return `${first}${paths.length > 1 ? ` + ${paths.length - 1} more` : ''} ${stamp}`;
}
