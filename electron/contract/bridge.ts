/** `window.loupe`: what the preload exposes to the renderer (see electron/contract.ts). */
import type { AppState } from './app-state';
import type { CommandInput, CommandName, CommandOutput } from './commands';
import type { CommandResult } from './errors';

/** The bridge the preload exposes as `window.loupe`. The harness implements the same. */
export interface LoupeBridge {
  invoke<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandResult<CommandOutput<C>>>;
  onState(callback: (state: AppState) => void): () => void;
  /**
   * Stages files and folders dropped on the window. Takes the `File`s of the
   * drop, not paths: the preload asks Electron where each is on disk, so the
   * page can only add what the person really dropped.
   */
  stageDropped(files: readonly File[]): Promise<CommandResult<void>>;
}
