/**
 * What a staged file or folder holds, checked as soon as it is added (with
 * the same discovery and limits a job uses), so the window can say "3 files
 * can't be analysed" and "Analyse 12 photos" before the job starts.
 */
import { stat } from 'node:fs/promises';
import type { StagedInput } from '../../../contract';
import { describeFsError, discoverInputs } from '../input/discover';
import { DEFAULTS as PREPARE_DEFAULTS } from '../input/prepare';

export interface StagedCheck {
  kind: StagedInput['kind'];
  photoCount: number;
  problem: string | null;
}

export interface StagedCheckOptions {
  maxFiles?: number;
  maxSourceBytes?: number;
}

const MB = 1024 * 1024;

export async function checkStaged(path: string, options: StagedCheckOptions = {}): Promise<StagedCheck> {
  const maxSourceBytes = options.maxSourceBytes ?? PREPARE_DEFAULTS.maxSourceBytes;
  let kind: StagedInput['kind'] = 'file';
  try {
    kind = (await stat(path)).isDirectory() ? 'folder' : 'file';
  } catch (error) {
    return { kind, photoCount: 0, problem: describeFsError(error) };
  }
  const found = await discoverInputs([path], options.maxFiles ? { maxFiles: options.maxFiles } : {});
  const photos = found.files.filter((f) => f.size <= maxSourceBytes);
  const tooLarge = found.files.length - photos.length;
  if (kind === 'file') {
    if (photos.length === 1) return { kind, photoCount: 1, problem: null };
    const reason = found.skipped[0]?.reason ?? `This file is larger than ${Math.round(maxSourceBytes / MB)} MB, more than Loupe will open.`;
    return { kind, photoCount: 0, problem: reason };
  }
  const refused = found.skipped.length + tooLarge;
  if (photos.length === 0) {
    return {
      kind,
      photoCount: 0,
      problem: refused === 0 ? 'No photos in this folder.' : `No photos Loupe can read in this folder (${filesCantBeAnalysed(refused)}).`,
    };
  }
  return { kind, photoCount: photos.length, problem: refused === 0 ? null : `${filesCantBeAnalysed(refused)}.` };
}

function filesCantBeAnalysed(n: number): string {
  return n === 1 ? '1 file can’t be analysed' : `${n.toLocaleString('en-US')} files can’t be analysed`;
}

/** Photos in everything staged; null while any entry is still being checked. */
export function stagedPhotoCount(staged: readonly StagedInput[]): number | null {
  let total = 0;
  for (const entry of staged) {
    if (entry.photoCount === null) return null;
    total += entry.photoCount;
  }
  return total;
}
