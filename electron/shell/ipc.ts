import { type BrowserWindow, type IpcMainInvokeEvent, ipcMain } from 'electron';
import { type AppState, CHANNELS, type CommandResult } from '../contract';
import { dispatchCommand, dispatchOffered } from '../core/kernel/dispatch';
import type { Core } from '../core/index';
import type { Logger } from '../core/kernel/deps';
import { isTrustedSender } from './sender-check';

const FORBIDDEN: CommandResult<never> = {
  ok: false,
  error: { code: 'forbidden_sender', message: 'This request did not come from the Loupe window.' },
};

/**
 * The one IPC manager. Every command arrives on one channel; a drop arrives on
 * its own (CHANNELS.dropped, sent by the preload only), because no command may
 * name a path to stage. Both are checked for their sender, then validated and
 * handed to the core's dispatcher.
 */
export function registerIpc(core: Core, getWindow: () => BrowserWindow | undefined, log: Logger): () => void {
  const trusted = (event: IpcMainInvokeEvent): boolean => {
    if (isTrustedSender(event, getWindow()?.webContents.id)) return true;
    log.warn('rejected IPC from an untrusted sender');
    return false;
  };
  ipcMain.handle(CHANNELS.invoke, async (event, command: unknown, input: unknown): Promise<CommandResult<unknown>> =>
    trusted(event) ? dispatchCommand(core, command, input, log) : FORBIDDEN,
  );
  ipcMain.handle(CHANNELS.dropped, async (event, input: unknown): Promise<CommandResult<void>> =>
    trusted(event) ? dispatchOffered(core, input, log) : FORBIDDEN,
  );

  const unsubscribe = core.subscribe((state: AppState) => {
    const win = getWindow();
    if (win && !win.isDestroyed()) win.webContents.send(CHANNELS.state, state);
  });

  return () => {
    unsubscribe();
    ipcMain.removeHandler(CHANNELS.invoke);
    ipcMain.removeHandler(CHANNELS.dropped);
  };
}
