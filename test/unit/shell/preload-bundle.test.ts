import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../../electron/contract';

const bundle = fileURLToPath(new URL('../../../dist/preload/preload.cjs', import.meta.url));

/**
 * Runs the built preload the way a sandboxed renderer does: a CommonJS
 * script whose only module is `electron`. Catches a bundle that needs other
 * modules, exposes more than the bridge, or speaks on an unknown channel.
 */
describe('built preload bundle', () => {
  it('exists (npm test builds before it runs the suites)', () => {
    expect(existsSync(bundle), `missing ${bundle}: run "npm run build" first`).toBe(true);
  });

  it('exposes exactly invoke, onState and stageDropped on window.loupe', async () => {
    const exposed: Record<string, Record<string, unknown>> = {};
    const sent: unknown[][] = [];
    const listeners = new Map<string, (...args: unknown[]) => void>();
    const requested: string[] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: Record<string, unknown>) => void (exposed[key] = api) },
      ipcRenderer: {
        invoke: async (...args: unknown[]) => {
          sent.push(args);
          return { ok: true, value: 'pong' };
        },
        on: (channel: string, fn: (...args: unknown[]) => void) => void listeners.set(channel, fn),
        removeListener: (channel: string) => void listeners.delete(channel),
      },
      // A File the page made itself has no path: Electron answers ''.
      webUtils: { getPathForFile: (file: { name: string; made?: boolean }) => (file.made ? '' : `/abs/${file.name}`) },
    };
    const module = { exports: {} };
    const require = (id: string) => {
      requested.push(id);
      if (id === 'electron') return electron;
      throw new Error(`sandboxed preload cannot require ${id}`);
    };
    runInNewContext(readFileSync(bundle, 'utf8'), { require, module, exports: module.exports, console });

    expect(Object.keys(exposed)).toEqual(['loupe']);
    const loupe = exposed.loupe as {
      invoke: (c: string, i: unknown) => Promise<unknown>;
      onState: (cb: (s: unknown) => void) => () => void;
      stageDropped: (f: Array<{ name: string; made?: boolean }>) => Promise<unknown>;
    };
    expect(Object.keys(loupe).sort()).toEqual(['invoke', 'onState', 'stageDropped']);
    expect(Object.values(loupe).every((value) => typeof value === 'function')).toBe(true);
    expect(requested.every((id) => id === 'electron')).toBe(true);

    await expect(loupe.invoke('app.getState', {})).resolves.toEqual({ ok: true, value: 'pong' });
    expect(sent).toEqual([[CHANNELS.invoke, 'app.getState', {}]]);

    const states: unknown[] = [];
    const off = loupe.onState((s) => states.push(s));
    listeners.get(CHANNELS.state)?.({ sender: 'ipc' }, { hello: 1 });
    expect(states).toEqual([{ hello: 1 }]);
    off();
    expect(listeners.has(CHANNELS.state)).toBe(false);

    // A drop: the preload resolves the paths and stages them on its own channel, never as a command the page could send.
    sent.length = 0;
    await expect(loupe.stageDropped([{ name: 'a.jpg' }, { name: 'made.jpg', made: true }, { name: 'b' }])).resolves.toEqual({
      ok: true,
      value: 'pong',
    });
    expect(sent).toEqual([[CHANNELS.dropped, { paths: ['/abs/a.jpg', '/abs/b'] }]]);
    expect(CHANNELS.dropped).not.toBe(CHANNELS.invoke);
    // invoke() always speaks on the command channel, whatever the page passes: it cannot reach the drop channel.
    sent.length = 0;
    await loupe.invoke(CHANNELS.dropped, { paths: ['/etc/passwd'] });
    expect(sent.every((args) => args[0] === CHANNELS.invoke)).toBe(true);
  });
});
