// `import … from 'electron'` inside the app under test. One double per process, created by register.ts.
const d = globalThis.__loupeElectronDouble;
if (!d) throw new Error('the Electron double is not installed (run with --import test/electron/double/register.ts)');
export default d;
export const {
  app,
  BrowserWindow,
  Tray,
  Menu,
  nativeImage,
  ipcMain,
  protocol,
  session,
  net,
  shell,
  clipboard,
  dialog,
  Notification,
  powerMonitor,
  safeStorage,
  screen,
  autoUpdater,
} = d;
