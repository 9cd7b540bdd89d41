/**
 * Which sharp build prepares photos. sharp's prebuilt libvips carries its own
 * GLib; inside an Electron process on Linux it clashes with Chromium's copy
 * and the first decode crashes the process. So under Electron on Linux Loupe
 * uses sharp's WebAssembly build, which sharp falls back to by itself when
 * the native binding cannot be found. Node (tests, harness, bench), macOS and
 * Windows keep the native build.
 *
 * The hook must be installed before sharp is first loaded: main.ts installs
 * it and only then imports the core (which imports sharp).
 */
import { createRequire } from 'node:module';

export type ImageBackend = 'native' | 'wasm';

/** The one decision: WebAssembly exactly when running inside Electron on Linux. */
export function chooseImageBackend(platform: NodeJS.Platform, insideElectron: boolean): ImageBackend {
  return insideElectron && platform === 'linux' ? 'wasm' : 'native';
}

/** sharp's native Linux packages: `@img/sharp-linux-x64`, `@img/sharp-linuxmusl-arm64`, `@img/sharp-libvips-linux-x64`, … */
export function isNativeLinuxSharp(request: string): boolean {
  return /^@img\/sharp-(libvips-)?linux/.test(request);
}

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
interface ModuleInternals {
  _resolveFilename: ResolveFilename;
}

/**
 * sharp is CommonJS and loads its binding with `require`, so refusing the
 * native Linux packages in Module._resolveFilename (as if they were not
 * installed) makes sharp take `@img/sharp-wasm32`. Returns an uninstaller.
 */
export function installImageBackend(backend: ImageBackend): () => void {
  if (backend === 'native') return () => {};
  const Module = createRequire(import.meta.url)('node:module') as ModuleInternals;
  const original = Module._resolveFilename;
  const refusing: ResolveFilename = function (this: unknown, request, ...rest) {
    if (isNativeLinuxSharp(request)) {
      throw Object.assign(new Error(`Cannot find module '${request}' (Loupe uses sharp's WebAssembly build here)`), { code: 'MODULE_NOT_FOUND' });
    }
    return original.call(this, request, ...rest);
  };
  Module._resolveFilename = refusing;
  return () => {
    if (Module._resolveFilename === refusing) Module._resolveFilename = original;
  };
}

/** What sharp actually loaded: its WebAssembly build reports an `emscripten` version. */
export function loadedImageBackend(sharpVersions: Record<string, string | undefined>): ImageBackend {
  return 'emscripten' in sharpVersions ? 'wasm' : 'native';
}
