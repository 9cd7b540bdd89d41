import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { APP_SCHEME } from '../contract';
import { createAppRequestHandler } from './app-protocol';

/** Must run before `app` is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

/** Serve the built renderer from `rendererDir` on app://loupe/. */
export function serveRenderer(rendererDir: string): void {
  const handle = createAppRequestHandler(rendererDir, (path) => readFile(path));
  protocol.handle(APP_SCHEME, (request) => handle(request));
}
