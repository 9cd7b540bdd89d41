/**
 * Loaded with `--import` before the built main process: pretends to be the
 * platform under test, installs the Electron double for both `import` (a
 * module.register resolve hook) and `require` (electron-updater is CommonJS),
 * and answers the test's commands over the IPC channel of `child_process.fork`.
 */
import { createRequire, register } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type DoubleConfig, createElectronDouble } from './electron-double';
import type { Command, Snapshot } from './protocol';

const config = JSON.parse(process.env.LOUPE_DOUBLE_CONFIG ?? 'null') as (DoubleConfig & { resourcesPath?: string; execPath?: string }) | null;
if (!config) throw new Error('LOUPE_DOUBLE_CONFIG is not set');

Object.defineProperty(process, 'platform', { value: config.platform });
if (config.resourcesPath) Object.defineProperty(process, 'resourcesPath', { value: config.resourcesPath });
// A packaged app's process.execPath is its own executable (the one the fuses live in).
if (config.execPath) Object.defineProperty(process, 'execPath', { value: config.execPath });

const double = createElectronDouble(config);
(globalThis as Record<string, unknown>).__loupeElectronDouble = double.module;
if (config.updater === 'double') (globalThis as Record<string, unknown>).__loupeUpdaterDouble = double.updater;
register('./hooks.mjs', import.meta.url, { data: { updater: config.updater ?? 'real' } });

const require = createRequire(import.meta.url);
const Module = require('node:module') as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const cjsDouble = fileURLToPath(new URL('./electron-cjs.cjs', import.meta.url));
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
  return request === 'electron' ? cjsDouble : resolveFilename.call(this, request, ...rest);
};

const { control, module: electron } = double;
const send = (message: unknown, done?: () => void) => {
  if (process.send) process.send(message, undefined, {}, () => done?.());
  else done?.();
};

// The last snapshot travels with the exit, so the test sees what happened right before it (a start-up error box).
electron.app.on('double-exit', (code: number) => {
  send({ type: 'exit', code, snapshot: snapshot() }, () => process.exit(code));
});

const mainWindow = () => control.windows.find((w) => !w.isDestroyed());

function menuLabels(template: Array<Record<string, unknown>>): Snapshot['trays'][number]['menu'] {
  return template.map((item) => ({
    type: (item.type as string | undefined) ?? 'normal',
    label: item.label as string | undefined,
    enabled: item.enabled as boolean | undefined,
    checked: item.checked as boolean | undefined,
    ...(Array.isArray(item.submenu) ? { submenu: menuLabels(item.submenu as Array<Record<string, unknown>>) } : {}),
  }));
}

function findItem(template: Array<Record<string, unknown>>, label: string): Record<string, unknown> | undefined {
  for (const item of template) {
    if (item.label === label) return item;
    if (Array.isArray(item.submenu)) {
      const found = findItem(item.submenu as Array<Record<string, unknown>>, label);
      if (found) return found;
    }
  }
  return undefined;
}

function snapshot(): Snapshot {
  return {
    ready: control.ready,
    violations: [...control.violations],
    calls: control.calls.map((c) => ({ api: c.api, afterReady: c.afterReady, args: JSON.parse(JSON.stringify(c.args ?? null)) as unknown[] })),
    windows: control.windows.map((w) => ({
      id: w.webContents.id,
      options: JSON.parse(JSON.stringify(w.options)) as Record<string, unknown>,
      url: w.url,
      visible: w.visible,
      destroyed: w.destroyed,
      focused: w.focused,
      stateMessages: w.webContents.sent.length,
      openHandler: w.webContents.windowOpenHandler ? w.webContents.windowOpenHandler({ url: 'https://example.com/' }).action : null,
    })),
    trays: control.trays.map((t) => ({
      image: t.image.path,
      tooltip: t.tooltip,
      menu: t.menu ? menuLabels(t.menu.template) : [],
      menuBuilds: t.menuBuilds,
      destroyed: t.destroyed,
    })),
    handlers: [...control.handlers.keys()],
    handleCalls: [...control.handleCalls],
    privilegedSchemes: JSON.parse(JSON.stringify(control.privilegedSchemes)) as unknown[],
    fetches: [...control.fetches],
    opened: [...control.opened],
    errorBoxes: [...control.errorBoxes],
    ipcListeners: control.ipcMain.eventNames().map(String),
    messageBoxes: [...control.messageBoxes],
    dockVisible: electron.app.dock ? electron.app.dock.visible : null,
  };
}

async function handle(command: Command): Promise<unknown> {
  switch (command.type) {
    case 'ready':
      control.fireReady();
      return null;
    case 'snapshot':
      return snapshot();
    case 'app-event':
      electron.app.emit(command.event, control.preventable(), ...(command.args ?? []));
      return null;
    case 'window-event': {
      const win = mainWindow();
      if (!win) throw new Error('no window');
      win.emit(command.event, control.preventable());
      return null;
    }
    case 'window-close':
      mainWindow()?.close();
      return null;
    case 'window-hide':
      mainWindow()?.hide();
      return null;
    case 'window-open': {
      // What a page's window.open(url) or a target=_blank link does: the handler decides; nothing opens in the app.
      const handler = mainWindow()?.webContents.windowOpenHandler;
      if (!handler) throw new Error('no window open handler');
      return handler({ url: command.url }).action;
    }
    case 'render-process-gone': {
      const win = mainWindow();
      if (!win) throw new Error('no window');
      electron.app.emit('render-process-gone', control.preventable(), win.webContents, { reason: command.reason, exitCode: command.exitCode });
      return null;
    }
    case 'child-process-gone':
      electron.app.emit('child-process-gone', control.preventable(), {
        type: command.processType,
        reason: command.reason,
        exitCode: command.exitCode,
        ...(command.name ? { name: command.name } : {}),
      });
      return null;
    case 'throw-uncaught':
      setImmediate(() => {
        throw new Error(command.message);
      });
      return null;
    case 'reject-unhandled':
      void Promise.reject(new Error(command.message));
      return null;
    case 'update-downloaded':
      double.updater.autoUpdater.emit('update-downloaded', { version: command.version });
      return null;
    case 'tray-click':
      control.trays.at(-1)?.emit('click');
      return null;
    case 'menu-click': {
      const menu = control.trays.at(-1)?.menu;
      const item = menu && findItem(menu.template, command.label);
      if (!item || typeof item.click !== 'function') throw new Error(`no tray menu item "${command.label}"`);
      (item.click as () => void)();
      return null;
    }
    case 'answer-open-dialog':
      control.openDialogAnswers.push(command.filePaths);
      return null;
    case 'answer-message-box':
      control.messageBoxAnswers.push(command.response);
      return null;
    case 'power-event':
      control.powerMonitor.emit(command.event, control.preventable());
      return null;
    case 'quit':
      electron.app.quit();
      return null;
    case 'invoke': {
      const handler = control.handlers.get(command.channel);
      const win = mainWindow();
      if (!handler || !win) throw new Error(`no handler for ${command.channel}`);
      const event = {
        sender: { id: command.senderId ?? win.webContents.id },
        senderFrame: { url: command.frameUrl ?? 'app://loupe/index.html', parent: command.subframe ? {} : null },
      };
      return handler(event, ...command.args);
    }
    case 'app-request': {
      const handler = control.protocolHandlers.get('app');
      if (!handler) throw new Error('app:// is not served');
      const response = await handler(new Request(command.url));
      return { status: response.status, csp: response.headers.get('content-security-policy'), type: response.headers.get('content-type') };
    }
    case 'sharp': {
      // The same module instance the core loaded (one ESM URL per process), and the binding it required.
      const sharp = (await import('sharp')).default;
      const bindings = Object.keys(require.cache).filter((path) => path.endsWith('.node') || path.includes('sharp-wasm32'));
      return { versions: sharp.versions, bindings };
    }
    case 'e2e-hook':
      return 'loupeE2E' in globalThis;
    case 'e2e-tray-click':
      (globalThis as unknown as { loupeE2E: { tray: { click(label: string): void } } }).loupeE2E.tray.click(command.label);
      return null;
    case 'state':
      return await handle({ type: 'invoke', channel: 'loupe:invoke', args: ['app.getState', {}] });
  }
}

let mainLoaded: () => void = () => {};
const loaded = new Promise<void>((resolve) => (mainLoaded = resolve));
(globalThis as Record<string, unknown>).__loupeMainLoaded = () => mainLoaded();

process.on('message', (message: { id: number; command: Command }) => {
  loaded
    .then(() => handle(message.command))
    .then(
      (result) => send({ type: 'reply', id: message.id, ok: true, result }),
      (error: unknown) => send({ type: 'reply', id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
});
