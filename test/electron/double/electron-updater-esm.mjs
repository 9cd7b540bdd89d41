// `import … from 'electron-updater'` inside the app under test, when the scenario asks for the updater double.
const d = globalThis.__loupeUpdaterDouble;
if (!d) throw new Error('the electron-updater double is not installed');
export default d;
export const { autoUpdater } = d;
