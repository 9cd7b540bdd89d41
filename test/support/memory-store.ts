import type { KeyValueStore } from '../../electron/core/kernel/deps';

/** A KeyValueStore in memory, for pure tests of what the core keeps. */
export function memoryStore(initial: Record<string, unknown> = {}): KeyValueStore & { data: Record<string, unknown> } {
  const data: Record<string, unknown> = { ...initial };
  return {
    data,
    path: '/memory/store.json',
    get: (key) => data[key],
    set: (key, value) => void (data[key] = value),
    delete: (key) => void delete data[key],
    setAside: () => {
      for (const key of Object.keys(data)) delete data[key];
      return '/memory/store.json.corrupt';
    },
  };
}
