/** The revocation endpoint (RFC 7009) with its faults. */
import type { KoaContextWithOIDC } from 'oidc-provider';
import { bodyParams, readBody, replayBody, takeFault } from './http';
import type { AuthState } from './state';

export function createRevokeRoute(s: AuthState) {
  const { faults, record, requestClientId, sendTokenError, statics } = s;

  async function onRevoke(ctx: KoaContextWithOIDC, next: () => Promise<void>) {
    const raw = await readBody(ctx.req);
    const params = bodyParams(raw, ctx.get('content-type'));
    record('revoke', ctx.method, params);
    const fault = takeFault(faults.revoke);
    if (fault === 'drop') {
      ctx.respond = false;
      ctx.req.socket.destroy();
      return;
    }
    if (fault !== undefined) {
      ctx.status = fault;
      ctx.body = fault >= 500 ? { error: 'temporarily_unavailable' } : { error: 'invalid_request' };
      return;
    }
    replayBody(ctx.req, raw);
    await next();
    ctx.remove('WWW-Authenticate');
    if (ctx.status === 401 && statics.has(requestClientId(ctx, params))) {
      // A static confidential client that failed to authenticate (RFC 7009 §2.2.1).
      sendTokenError(ctx, 'invalid_client', 'client authentication failed');
      return;
    }
    // SIWC answers an empty 200 whatever happened, including unknown tokens and clients (§9).
    ctx.status = 200;
    ctx.body = '';
  }

  return { onRevoke };
}
