/** Which screen is open, and requests to reveal something on it (a form, a table). Window-local, not app truth. */
import { useSyncExternalStore } from 'react';

export type ScreenId = 'account' | 'models' | 'analyse' | 'settings';
/** Something a screen should scroll to and focus once it is shown. */
export type Reveal = 'add-api-key' | 'add-custom' | 'manage-accounts' | 'prices' | null;

interface Navigation {
  screen: ScreenId;
  reveal: Reveal;
}

let current: Navigation = { screen: 'account', reveal: null };
const listeners = new Set<() => void>();

export function navigate(screen: ScreenId, reveal: Reveal = null) {
  current = { screen, reveal };
  for (const l of listeners) l();
}

/** Called by the screen once it has revealed what was asked. */
export function revealed() {
  if (current.reveal === null) return;
  current = { ...current, reveal: null };
  for (const l of listeners) l();
}

export function useNavigation(): Navigation {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}
