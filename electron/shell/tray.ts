import { join } from 'node:path';
import { Menu, type MenuItemConstructorOptions, Tray, nativeImage } from 'electron';
import type { AppState } from '../contract';
import { type TrayAction, type TrayMenuItem, trayModel } from '../core/tray-model';

/** Icon file for a state; macOS uses template images that follow the menu bar colour. */
function iconPath(iconDir: string, state: string): string {
  const name = process.platform === 'darwin' ? `tray-${state}Template.png` : `tray-${state}.png`;
  return join(iconDir, name);
}

export function createTray(options: {
  iconDir: string;
  getState: () => AppState;
  subscribe: (listener: (state: AppState) => void) => () => void;
  onAction: (action: TrayAction, accountId?: string) => void;
}): { destroy(): void } {
  const first = trayModel(options.getState(), Date.now());
  const tray = new Tray(nativeImage.createFromPath(iconPath(options.iconDir, first.icon)));
  let lastIcon = '';

  const toMenu = (items: TrayMenuItem[]): MenuItemConstructorOptions[] =>
    items.map((item): MenuItemConstructorOptions => {
      switch (item.type) {
        case 'separator':
          return { type: 'separator' };
        case 'label':
          return { label: item.label, enabled: false };
        case 'submenu':
          return { label: item.label, submenu: toMenu(item.items) };
        case 'action':
          return {
            label: item.label,
            enabled: item.enabled,
            ...(item.checked !== undefined ? { type: 'radio', checked: item.checked } : {}),
            click: () => options.onAction(item.id, item.accountId),
          };
      }
    });

  const render = (state: AppState) => {
    const model = trayModel(state, Date.now());
    if (model.icon !== lastIcon) {
      tray.setImage(nativeImage.createFromPath(iconPath(options.iconDir, model.icon)));
      lastIcon = model.icon;
    }
    tray.setToolTip(model.tooltip);
    tray.setContextMenu(Menu.buildFromTemplate(toMenu(model.menu)));
  };

  render(options.getState());
  tray.on('click', () => options.onAction('open'));
  const unsubscribe = options.subscribe(render);
  // The tooltip counts down even when nothing else changes.
  const tick = setInterval(() => render(options.getState()), 30_000);
  return {
    destroy() {
      clearInterval(tick);
      unsubscribe();
      tray.destroy();
    },
  };
}
