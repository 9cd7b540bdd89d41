import type { IconName } from '../components/Icon';
import type { ScreenId } from '../state/navigation';

export const SCREENS: ReadonlyArray<{ id: ScreenId; label: string; icon: IconName; key: string }> = [
  { id: 'account', label: 'Account', icon: 'account', key: '1' },
  { id: 'models', label: 'Models', icon: 'models', key: '2' },
  { id: 'analyse', label: 'Analyse', icon: 'analyse', key: '3' },
  { id: 'settings', label: 'Settings', icon: 'settings', key: '4' },
];

const isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);
/** "Ctrl+3" or "⌘3", for tooltips and menus. */
export const shortcutLabel = (key: string) =>
  isMac ? `⌘${key === 'Enter' ? '↩' : key.toUpperCase()}` : `Ctrl+${key.length === 1 ? key.toUpperCase() : key}`;
/** For aria-keyshortcuts. */
export const ariaShortcut = (key: string) => `${isMac ? 'Meta' : 'Control'}+${key.length === 1 ? key.toUpperCase() : key}`;
