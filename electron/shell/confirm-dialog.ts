/**
 * The core's `confirm`: a native message box the renderer cannot answer, so a
 * compromised page can never approve sending secrets elsewhere by itself.
 */
import type { BrowserWindow, Dialog, MessageBoxOptions } from 'electron';
import type { ConfirmOptions } from '../core/kernel/deps';

const CANCEL = 0;
const CONFIRM = 1;

/** Cancel first and default, so Enter or Escape never approves; the origins are spelled out in the detail. */
export function confirmDialogOptions(options: ConfirmOptions): MessageBoxOptions {
  const origins = options.origins?.length ? `\n\n${options.origins.join('\n')}` : '';
  return {
    type: 'warning',
    title: options.title,
    message: options.message,
    detail: `${options.detail}${origins}`,
    buttons: ['Cancel', options.confirmLabel],
    defaultId: CANCEL,
    cancelId: CANCEL,
    noLink: true,
  };
}

export function createConfirm(
  dialog: Pick<Dialog, 'showMessageBox'>,
  parent: () => BrowserWindow | null,
): (options: ConfirmOptions) => Promise<boolean> {
  return async (options) => {
    const window = parent();
    const box = confirmDialogOptions(options);
    const { response } = window ? await dialog.showMessageBox(window, box) : await dialog.showMessageBox(box);
    return response === CONFIRM;
  };
}
