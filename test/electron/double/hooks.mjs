// Node module-resolution hook (module.register): `electron` → the test double.
// Runs on Node's loader thread, so it only maps names; the double itself lives in the app's thread.
const double = new URL('./electron-esm.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron') return { url: double, shortCircuit: true };
  return nextResolve(specifier, context);
}
