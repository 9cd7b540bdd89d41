/** The double's Tray, Menu and nativeImage: the tray only after ready, and every context menu it was given. */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import type { Kernel } from './kernel';

export function createTray({ record, requireReady }: Kernel) {
  class Menu {
    constructor(readonly template: Array<Record<string, unknown>>) {}
    static buildFromTemplate(template: Array<Record<string, unknown>>) {
      requireReady('Menu.buildFromTemplate');
      return new Menu(template);
    }
  }
  const trays: Tray[] = [];
  class Tray extends EventEmitter {
    image: { path: string };
    tooltip = '';
    menu: Menu | null = null;
    menuBuilds = 0;
    destroyed = false;
    constructor(image: { path: string }) {
      super();
      record('new Tray', image.path);
      requireReady('new Tray');
      this.image = image;
      trays.push(this);
    }
    setImage(image: { path: string }) {
      this.image = image;
    }
    setToolTip(tooltip: string) {
      this.tooltip = tooltip;
    }
    setContextMenu(menu: Menu) {
      this.menu = menu;
      this.menuBuilds++;
    }
    destroy() {
      this.destroyed = true;
    }
  }
  const nativeImage = {
    createFromPath: (path: string) => ({ path, isEmpty: () => !existsSync(path) }),
  };
  return { Menu, Tray, trays, nativeImage };
}
