/** The double's protocol, session and net: app:// registered before ready and served after it; every fetch recorded with its partition. */
import type { Kernel } from './kernel';

export function createNet({ record, requireReady, requireNotReady }: Kernel) {
  const privilegedSchemes: unknown[] = [];
  const protocolHandlers = new Map<string, (request: Request) => Promise<Response> | Response>();
  const protocol = {
    registerSchemesAsPrivileged(schemes: unknown[]) {
      record('protocol.registerSchemesAsPrivileged', schemes);
      requireNotReady('protocol.registerSchemesAsPrivileged');
      privilegedSchemes.push(...schemes);
    },
    handle(scheme: string, handler: (request: Request) => Promise<Response> | Response) {
      record('protocol.handle', scheme);
      requireReady('protocol.handle');
      protocolHandlers.set(scheme, handler);
    },
  };
  const fetches: Array<{ partition: string; url: string; credentials: unknown }> = [];
  const makeSession = (partition: string) => ({
    partition,
    permissionRequestHandler: null as unknown,
    permissionCheckHandler: null as unknown,
    devicePermissionHandler: null as unknown,
    setPermissionRequestHandler(handler: unknown) {
      this.permissionRequestHandler = handler;
    },
    setPermissionCheckHandler(handler: unknown) {
      this.permissionCheckHandler = handler;
    },
    setDevicePermissionHandler(handler: unknown) {
      this.devicePermissionHandler = handler;
    },
    fetch(input: string | Request, init: RequestInit = {}) {
      requireReady('session.fetch');
      fetches.push({ partition, url: typeof input === 'string' ? input : input.url, credentials: init.credentials });
      return globalThis.fetch(input, init);
    },
  });
  const sessions = new Map<string, ReturnType<typeof makeSession>>();
  const sessionFor = (partition: string) => {
    let found = sessions.get(partition);
    if (!found) sessions.set(partition, (found = makeSession(partition)));
    return found;
  };
  const session = {
    get defaultSession() {
      requireReady('session.defaultSession');
      return sessionFor('');
    },
    fromPartition(partition: string) {
      record('session.fromPartition', partition);
      requireReady('session.fromPartition');
      return sessionFor(partition);
    },
  };
  const net = {
    fetch(input: string | Request, init?: RequestInit) {
      record('net.fetch');
      requireReady('net.fetch');
      return sessionFor('').fetch(input, init);
    },
  };
  return { protocol, privilegedSchemes, protocolHandlers, session, sessions, net, fetches };
}
