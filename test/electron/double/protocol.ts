/** The commands the test sends to the simulated Electron process, and what it reads back. */
export type Command =
  | { type: 'ready' }
  | { type: 'snapshot' }
  | { type: 'state' }
  | { type: 'app-event'; event: string; args?: unknown[] }
  | { type: 'window-event'; event: string }
  | { type: 'window-close' }
  | { type: 'window-hide' }
  | { type: 'window-open'; url: string }
  | { type: 'update-downloaded'; version: string }
  /** Electron's crash events for the window's renderer and a child process, with the details Electron passes. */
  | { type: 'render-process-gone'; reason: string; exitCode: number }
  | { type: 'child-process-gone'; processType: string; reason: string; exitCode: number; name?: string }
  /** A throw no handler catches, and a rejection no one handles, in the app's main process. */
  | { type: 'throw-uncaught'; message: string }
  | { type: 'reject-unhandled'; message: string }
  | { type: 'tray-click' }
  | { type: 'menu-click'; label: string }
  | { type: 'answer-open-dialog'; filePaths: string[] }
  | { type: 'answer-message-box'; response: number }
  | { type: 'power-event'; event: string }
  | { type: 'quit' }
  | {
      type: 'invoke';
      channel: string;
      args: unknown[];
      senderId?: number;
      frameUrl?: string;
      /** Sent from a child frame of the page. */
      subframe?: boolean;
    }
  | { type: 'app-request'; url: string }
  | { type: 'sharp' }
  | { type: 'e2e-hook' }
  | { type: 'e2e-tray-click'; label: string };

export interface MenuItemView {
  type: string;
  label?: string | undefined;
  enabled?: boolean | undefined;
  checked?: boolean | undefined;
  submenu?: MenuItemView[];
}

export interface Snapshot {
  ready: boolean;
  violations: string[];
  calls: Array<{ api: string; afterReady: boolean; args: unknown[] }>;
  windows: Array<{
    id: number;
    options: Record<string, unknown>;
    url: string | null;
    visible: boolean;
    destroyed: boolean;
    focused: number;
    stateMessages: number;
    openHandler: string | null;
  }>;
  trays: Array<{ image: string; tooltip: string; menu: MenuItemView[]; menuBuilds: number; destroyed: boolean }>;
  handlers: string[];
  handleCalls: string[];
  privilegedSchemes: unknown[];
  fetches: Array<{ partition: string; url: string; credentials: unknown }>;
  opened: string[];
  errorBoxes: Array<{ title: string; content: string; shown: boolean }>;
  /** Channels with an ipcMain.on listener (ipcMain.handle handlers are in `handlers`). */
  ipcListeners: string[];
  messageBoxes: Array<{ title: string; message: string; detail: string; buttons: string[]; defaultId: number; cancelId: number }>;
  dockVisible: boolean | null;
}
