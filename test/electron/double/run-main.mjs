// The child's entry: loads the built main process, then lets register.ts answer the test.
// Electron emits `ready` only after the main script has run; commands wait for the same.
const main = process.env.LOUPE_MAIN;
if (!main) throw new Error('LOUPE_MAIN is not set');
await import(new URL(`file://${main}`).href);
globalThis.__loupeMainLoaded();
