/** The double's ipcMain: one handler per channel, as Electron insists, and the order they were registered in. */
import { EventEmitter } from 'node:events';
import type { Listener } from './kernel';

export function createIpcMain() {
  const handlers = new Map<string, Listener>();
  const handleCalls: string[] = [];
  const ipcMain = Object.assign(new EventEmitter(), {
    handle(channel: string, handler: Listener) {
      handleCalls.push(channel);
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, handler);
    },
    removeHandler(channel: string) {
      handlers.delete(channel);
    },
  });
  return { ipcMain, handlers, handleCalls };
}
