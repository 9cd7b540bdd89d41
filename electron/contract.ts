/**
 * The one IPC contract between the main process and the renderer.
 *
 * Every command the renderer may invoke is named here, with a zod schema for
 * its input and a phantom type for its result. Main registers its handlers
 * from this map, the preload and the renderer are typed from it, so changing a
 * signature breaks every side at compile time. The renderer receives state
 * only as `AppState` snapshots; nothing in this file may ever carry a token,
 * API key or client secret.
 */
// The contract is written by concern in electron/contract/; this file is the one
// every side imports (the renderer and the preload may import nothing else).
export * from './contract/channels';
export * from './contract/errors';
export * from './contract/vocabularies';
export * from './contract/app-state';
export * from './contract/account-state';
export * from './contract/model-state';
export * from './contract/analysis-state';
export * from './contract/batch-mode';
export * from './contract/concurrency';
export * from './contract/job-spec';
export * from './contract/commands';
export * from './contract/bridge';
