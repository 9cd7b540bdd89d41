/**
 * Where a copy of Loupe keeps its data. A development copy (`npm start`, an
 * unpackaged build) and an installed one must not share a data folder: the
 * development build would read the person's vault, settings and running jobs,
 * and, since Electron keeps the single-instance lock in the data folder, it
 * would find the installed copy running and quit (or the other way round).
 * So a development copy uses "Loupe (development)" beside the installed
 * "Loupe", with its logs inside it; an explicit --user-data-dir (Playwright's
 * suite) wins. Pure, so the rule is unit-tested; main.ts applies it before
 * `ready` (app.setPath must precede it for Chromium's session data) and before
 * the lock is requested.
 */
import { join } from 'node:path';

export const DEV_DATA_FOLDER = 'Loupe (development)';

export interface DataFolders {
  userData: string;
  logs: string;
}

/** null: keep Electron's defaults (an installed copy, or a data folder given on the command line). */
export function dataFolders(options: {
  packaged: boolean;
  appData: string;
  userDataSwitch: boolean;
  smokeDir?: string | undefined;
}): DataFolders | null {
  if (options.smokeDir) return { userData: options.smokeDir, logs: join(options.smokeDir, 'logs') };
  if (options.packaged || options.userDataSwitch) return null;
  const userData = join(options.appData, DEV_DATA_FOLDER);
  return { userData, logs: join(userData, 'logs') };
}
