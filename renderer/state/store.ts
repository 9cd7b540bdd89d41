/**
 * The one store: the latest AppState snapshot from the main process, read
 * through useSyncExternalStore and selectors so a screen re-renders only when
 * the part it reads changes. The renderer keeps no truth of its own.
 */
import { useSyncExternalStore } from 'react';
import type { AppState } from '../../electron/contract';
import { call } from '../ipc/call';

type Listener = () => void;

let snapshot: AppState | null = null;
const listeners = new Set<Listener>();
let connected = false;

function publish(next: AppState) {
  snapshot = next;
  for (const listener of listeners) listener();
}

function connect() {
  if (connected) return;
  connected = true;
  window.loupe.onState(publish);
  // A pushed snapshot may already have arrived; it is newer than this answer.
  void call('app.getState', {}).then(
    (initial) => {
      if (!snapshot) publish(initial);
    },
    () => undefined,
  );
}

function subscribe(listener: Listener) {
  connect();
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const getSnapshot = () => snapshot;

/** The snapshot, or null before the first one arrives. */
export function useAppStateOrNull(): AppState | null {
  return useSyncExternalStore(subscribe, getSnapshot);
}

/**
 * A part of the state. Only call it under <App>, which renders nothing until
 * the first snapshot arrives. The selector must return a part of the snapshot
 * (or a primitive), not a new object, or every publish re-renders.
 */
export function useAppState<T>(selector: (state: AppState) => T): T {
  return useSyncExternalStore(subscribe, () => {
    if (!snapshot) throw new Error('useAppState before the first state arrived');
    return selector(snapshot);
  });
}
