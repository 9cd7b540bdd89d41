/** Shared by the simulated-Electron scenarios: how to start the app, and how to read what it shows. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrayMenuItem } from '../../../electron/core/tray/tray-model';
import type { MenuItemView, Snapshot } from '../double/protocol';
import { type SimulatedApp, launch, repo } from '../simulated-app';

/** Where every scenario's child process writes its V8 coverage, read once at the end of the run. */
export const coverageDir = mkdtempSync(join(tmpdir(), 'loupe-sim-coverage-'));
export { APP_ID } from '../../../build/electron-builder.config';
export const photo = join(repo, 'test/fixtures/good/01-sunset.jpg');

/** What Electron's Menu would hold for the tray model's menu. */
export function expectedMenu(items: TrayMenuItem[]): MenuItemView[] {
  return items.map((item): MenuItemView => {
    switch (item.type) {
      case 'separator':
        return { type: 'separator' };
      case 'label':
        return { type: 'normal', label: item.label, enabled: false };
      case 'submenu':
        return { type: 'normal', label: item.label, submenu: expectedMenu(item.items) };
      case 'action':
        return item.checked === undefined
          ? { type: 'normal', label: item.label, enabled: item.enabled }
          : { type: 'radio', label: item.label, enabled: item.enabled, checked: item.checked };
    }
  });
}
export const stripUndefined = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
export const tray = (s: Snapshot) => s.trays.at(-1)!;
export const started = (s: Snapshot) => s.trays.length > 0;

export function start(options: Parameters<typeof launch>[0] = {}): SimulatedApp {
  return launch({ coverageDir, ...options });
}
