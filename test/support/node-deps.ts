import { join } from 'node:path';
import { type CoreDeps, systemClock } from '../../electron/core/kernel/deps';
import { openJsonFileStore } from '../../electron/core/kernel/json-file-store';
import { nodeProcessMemory } from '../../electron/shell/process-memory';
import { createNodeCipher } from './node-cipher';

/**
 * Plain-Node adapters for createCore: used by tests and the browser harness.
 * Only the transport and these adapters differ from the Electron app.
 */
export function createNodeDeps(dataDir: string, overrides: Partial<CoreDeps> = {}): CoreDeps {
  return {
    cipher: createNodeCipher(),
    // Tests that care inject recordingConfirm(); elsewhere (harness) the person always says yes.
    confirm: async () => true,
    openStore: (name) => openJsonFileStore(join(dataDir, `${name}.json`), () => (overrides.clock ?? systemClock).now()),
    openExternal: async () => {},
    copyText: () => {},
    openPath: async () => {},
    pickFiles: async (_options: { folders: boolean }) => [],
    pickSavePath: async () => null,
    documentsDir: join(dataDir, 'Documents'),
    fetch: globalThis.fetch.bind(globalThis),
    notify: () => {},
    clock: systemClock,
    dataDir,
    processMemory: nodeProcessMemory(),
    app: { name: 'Loupe', version: '0.0.0-test', platform: process.platform, dev: true },
    ...overrides,
  };
}
