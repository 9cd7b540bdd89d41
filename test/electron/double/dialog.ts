/**
 * The double's dialog: message boxes and file dialogs after ready, answered with what the test queued; error
 * boxes at any time, but on Linux before `ready` only written to stderr, as Electron's dialog docs say
 * (`shown: false`).
 */
import type { Kernel } from './kernel';

export function createDialog({ config, record, requireReady, isReady }: Kernel) {
  const errorBoxes: Array<{ title: string; content: string; shown: boolean }> = [];
  const openDialogAnswers: string[][] = [];
  const messageBoxAnswers: number[] = [];
  const messageBoxes: Array<{ title: string; message: string; detail: string; buttons: string[]; defaultId: number; cancelId: number }> = [];
  const dialog = {
    async showMessageBox(...args: unknown[]) {
      const options = (args.length > 1 ? args[1] : args[0]) as (typeof messageBoxes)[number];
      record('dialog.showMessageBox', options.title);
      requireReady('dialog.showMessageBox');
      messageBoxes.push(options);
      // Closing the box answers its cancelId, as Electron documents.
      return { response: messageBoxAnswers.shift() ?? options.cancelId, checkboxChecked: false };
    },
    showErrorBox(title: string, content: string) {
      record('dialog.showErrorBox', title);
      const shown = config.platform !== 'linux' || isReady();
      if (!shown) process.stderr.write(`${title}\n${content}\n`);
      errorBoxes.push({ title, content, shown });
    },
    async showOpenDialog(options: unknown) {
      record('dialog.showOpenDialog', options);
      requireReady('dialog.showOpenDialog');
      const filePaths = openDialogAnswers.shift() ?? [];
      return { canceled: filePaths.length === 0, filePaths };
    },
    async showSaveDialog(options: unknown) {
      record('dialog.showSaveDialog', options);
      requireReady('dialog.showSaveDialog');
      return { canceled: true, filePath: '' };
    },
  };
  return { dialog, errorBoxes, openDialogAnswers, messageBoxAnswers, messageBoxes };
}
