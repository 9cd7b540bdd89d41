// Node module-resolution hook (module.register): `electron` → the test double, and `electron-updater` → its
// double when the scenario asked for one. Runs on Node's loader thread, so it only maps names; the doubles
// themselves live in the app's thread.
const double = new URL('./electron-esm.mjs', import.meta.url).href;
const updaterDouble = new URL('./electron-updater-esm.mjs', import.meta.url).href;
let doubleUpdater = false;

export function initialize(data) {
  doubleUpdater = data?.updater === 'double';
}

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron') return { url: double, shortCircuit: true };
  if (doubleUpdater && specifier === 'electron-updater') return { url: updaterDouble, shortCircuit: true };
  return nextResolve(specifier, context);
}
