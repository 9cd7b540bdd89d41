/**
 * Renders the tray model (electron/core/tray/tray-model.ts) into a Tray. The menu
 * is rebuilt only when the model's menu changes: `setContextMenu` replaces an
 * open menu, which would close it under the person's pointer on every publish.
 */
import { join } from 'node:path';
import { Menu, type MenuItemConstructorOptions, Tray, nativeImage } from 'electron';
import type { AppState } from '../contract';
import type { Clock } from '../core/kernel/deps';
import { type TrayAction, type TrayExtras, type TrayMenuItem, type TrayModel, trayModel } from '../core/tray/tray-model';

/** Icon file for a state; macOS uses template images that follow the menu bar colour. */
export function trayIconPath(iconDir: string, state: string, platform: NodeJS.Platform): string {
  return join(iconDir, platform === 'darwin' ? `tray-${state}Template.png` : `tray-${state}.png`);
}

export function toMenuTemplate(items: TrayMenuItem[], onAction: (action: TrayAction, accountId?: string) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.type) {
      case 'separator':
        return { type: 'separator' };
      case 'label':
        return { label: item.label, enabled: false };
      case 'submenu':
        return { label: item.label, submenu: toMenuTemplate(item.items, onAction) };
      case 'action':
        return {
          label: item.label,
          enabled: item.enabled,
          ...(item.checked !== undefined ? { type: 'radio', checked: item.checked } : {}),
          click: () => onAction(item.id, item.accountId),
        };
    }
  });
}

/** The tooltip counts down minutes even when nothing else changes. */
const TICK_MS = 30_000;

export interface LoupeTray {
  /** Re-render now (the update status changed). */
  refresh(): void;
  /** Clicks the menu item with this label, as a person would (end-to-end tests drive the tray through it). */
  click(label: string): void;
  destroy(): void;
}

function findAction(items: TrayMenuItem[], label: string): Extract<TrayMenuItem, { type: 'action' }> | undefined {
  for (const item of items) {
    if (item.type === 'action' && item.label === label) return item;
    if (item.type === 'submenu') {
      const found = findAction(item.items, label);
      if (found) return found;
    }
  }
  return undefined;
}

export function createTray(options: {
  iconDir: string;
  platform: NodeJS.Platform;
  clock: Clock;
  getState: () => AppState;
  getExtras: () => TrayExtras;
  subscribe: (listener: (state: AppState) => void) => () => void;
  onAction: (action: TrayAction, accountId?: string) => void;
}): LoupeTray {
  const model = (state: AppState): TrayModel => trayModel(state, options.clock.now(), options.getExtras());
  const first = model(options.getState());
  const tray = new Tray(nativeImage.createFromPath(trayIconPath(options.iconDir, first.icon, options.platform)));
  let shown = { icon: first.icon, tooltip: '', menu: '' };

  const render = (state: AppState) => {
    const next = model(state);
    if (next.icon !== shown.icon) tray.setImage(nativeImage.createFromPath(trayIconPath(options.iconDir, next.icon, options.platform)));
    if (next.tooltip !== shown.tooltip) tray.setToolTip(next.tooltip);
    const menu = JSON.stringify(next.menu);
    if (menu !== shown.menu) tray.setContextMenu(Menu.buildFromTemplate(toMenuTemplate(next.menu, options.onAction)));
    shown = { icon: next.icon, tooltip: next.tooltip, menu };
  };

  render(options.getState());
  // Windows: a left click opens the window (right click shows the menu). macOS shows the menu on click, so
  // opening the window as well would fight it; Linux AppIndicator trays send no clicks at all.
  if (options.platform !== 'darwin') tray.on('click', () => options.onAction('open'));
  const unsubscribe = options.subscribe(render);
  let tick = { cancel() {} };
  const schedule = () => {
    tick = options.clock.setTimeout(() => {
      render(options.getState());
      schedule();
    }, TICK_MS);
  };
  schedule();
  return {
    refresh: () => render(options.getState()),
    click(label) {
      const item = findAction(model(options.getState()).menu, label);
      if (!item?.enabled) throw new Error(`no enabled tray item "${label}"`);
      options.onAction(item.id, item.accountId);
    },
    destroy() {
      tick.cancel();
      unsubscribe();
      tray.destroy();
    },
  };
}
