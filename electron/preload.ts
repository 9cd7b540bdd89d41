/**
 * The whole surface the renderer gets: `window.loupe`. No raw ipcRenderer,
 * no channel names beyond the contract's. Bundled as one CommonJS file
 * because sandboxed preloads cannot load modules.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { type AppState, CHANNELS, type LoupeBridge } from './contract';

const bridge: LoupeBridge = {
  invoke: (command, input) => ipcRenderer.invoke(CHANNELS.invoke, command, input),
  onState(callback) {
    const listener = (_event: Electron.IpcRendererEvent, state: AppState) => callback(state);
    ipcRenderer.on(CHANNELS.state, listener);
    return () => {
      ipcRenderer.removeListener(CHANNELS.state, listener);
    };
  },
  /**
   * A drop is staged here, on a channel of its own, and no command takes a path
   * from the page: a page cannot make a `File` with a real path (Electron answers
   * '' for one it built), so only what the person dropped reaches the main
   * process. Files with no path on disk (text or a link dragged from a browser)
   * are left out; the main process refuses a drop with nothing left.
   */
  stageDropped: (files) =>
    ipcRenderer.invoke(CHANNELS.dropped, {
      paths: Array.from(files, (file) => webUtils.getPathForFile(file)).filter((path) => path !== ''),
    }),
};

contextBridge.exposeInMainWorld('loupe', bridge);
