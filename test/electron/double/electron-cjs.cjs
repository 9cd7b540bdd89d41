// `require('electron')` inside the app's CommonJS dependencies (electron-updater): the same double.
module.exports = globalThis.__loupeElectronDouble;
