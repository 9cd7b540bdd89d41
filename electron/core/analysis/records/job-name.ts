import { basename } from 'node:path';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A job's name when the person gives none, as a person would write it: how
 * many photos and when, in local time ("10 photos · 1 Dec 13:16"), after the
 * folder's name when one folder was dropped ("Kitchen · 10 photos · 1 Dec
 * 13:16"), or the photo's own name when it is one photo. The output folder is
 * named after it (safeFolderName turns ':' into '-').
 *
 * `photoCount` is what the staged check found; without it the dropped paths
 * are counted.
 */
export function defaultJobName(paths: string[], startedAt: number, photoCount?: number | null, singleFolder = false): string {
  const at = new Date(startedAt);
  const stamp = `${at.getDate()} ${MONTHS[at.getMonth()]} ${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
  const count = photoCount ?? paths.length;
  const first = basename(paths[0] ?? '');
  if (count === 1 && paths.length === 1 && !singleFolder && first) return `${first} · ${stamp}`;
  const photos = `${count.toLocaleString('en-US')} ${count === 1 ? 'photo' : 'photos'}`;
  return singleFolder && paths.length === 1 && first ? `${first} · ${photos} · ${stamp}` : `${photos} · ${stamp}`;
}
