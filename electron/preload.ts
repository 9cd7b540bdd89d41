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
  pathsForFiles: async (files) => files.map((file) => webUtils.getPathForFile(file)),
};

contextBridge.exposeInMainWorld('loupe', bridge);
