import { type BrowserWindow, ipcMain } from 'electron';
import { type AppState, CHANNELS, type CommandResult } from '../contract';
import { dispatchCommand } from '../core/kernel/dispatch';
import type { Core } from '../core/index';
import { isTrustedSender } from './sender-check';

/**
 * The one IPC manager: every command arrives on one channel, is checked for
 * its sender, then validated and dispatched by the core's dispatcher.
 */
export function registerIpc(core: Core, getWindow: () => BrowserWindow | undefined): () => void {
  ipcMain.handle(CHANNELS.invoke, async (event, command: unknown, input: unknown): Promise<CommandResult<unknown>> => {
    const win = getWindow();
    if (!isTrustedSender(event, win?.webContents.id)) {
      core.log.warn('rejected IPC from an untrusted sender');
      return { ok: false, error: { code: 'forbidden_sender', message: 'This request did not come from the Loupe window.' } };
    }
    return dispatchCommand(core, command, input);
  });

  const unsubscribe = core.subscribe((state: AppState) => {
    const win = getWindow();
    if (win && !win.isDestroyed()) win.webContents.send(CHANNELS.state, state);
  });

  return () => {
    unsubscribe();
    ipcMain.removeHandler(CHANNELS.invoke);
  };
}
