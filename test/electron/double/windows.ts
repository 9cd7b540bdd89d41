/** The double's BrowserWindow and its webContents: created only after ready; records what the app shows, sends and loads. */
import { EventEmitter } from 'node:events';
import type { DoubleApp } from './app';
import type { Kernel } from './kernel';

export function createWindows({ record, requireReady, preventable }: Kernel, app: DoubleApp) {
  let nextContentsId = 1;
  class WebContents extends EventEmitter {
    readonly id = nextContentsId++;
    windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
    sent: Array<{ channel: string; args: unknown[] }> = [];
    destroyed = false;
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      this.windowOpenHandler = handler;
    }
    send(channel: string, ...args: unknown[]) {
      this.sent.push({ channel, args });
    }
    getURL() {
      return windows.find((w) => w.webContents === this)?.url ?? '';
    }
    isDestroyed() {
      return this.destroyed;
    }
  }
  const windows: BrowserWindow[] = [];
  class BrowserWindow extends EventEmitter {
    static getFocusedWindow() {
      return windows.find((w) => !w.destroyed && w.focused > 0) ?? null;
    }
    readonly options: Record<string, unknown>;
    readonly webContents = new WebContents();
    url: string | null = null;
    visible = false;
    minimized = false;
    destroyed = false;
    focused = 0;
    progress: number | null = null;
    constructor(options: Record<string, unknown> = {}) {
      super();
      record('new BrowserWindow', options);
      requireReady('new BrowserWindow');
      this.options = options;
      windows.push(this);
      app.emit('web-contents-created', preventable(), this.webContents);
    }
    async loadURL(url: string) {
      record('BrowserWindow.loadURL', url);
      this.url = url;
      setImmediate(() => this.emit('ready-to-show'));
    }
    show() {
      this.visible = true;
      this.emit('show');
    }
    hide() {
      this.visible = false;
      this.emit('hide');
    }
    focus() {
      this.focused++;
    }
    isMinimized() {
      return this.minimized;
    }
    restore() {
      this.minimized = false;
    }
    isVisible() {
      return this.visible;
    }
    isDestroyed() {
      return this.destroyed;
    }
    setProgressBar(progress: number) {
      this.progress = progress;
    }
    /** What clicking the window's close button does. */
    close() {
      const event = preventable();
      this.emit('close', event);
      if (event.defaultPrevented) return;
      this.destroyed = true;
      this.webContents.destroyed = true;
      this.visible = false;
      this.emit('closed');
    }
  }
  app.closeAllWindows = () => {
    for (const win of windows.filter((w) => !w.destroyed)) win.close();
    return windows.every((w) => w.destroyed);
  };
  return { BrowserWindow, windows };
}
