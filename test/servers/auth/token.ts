/** The token endpoint: SIWC registration, rotation, reuse detection, error shapes and faults around oidc-provider. */
import { decodeJwt } from 'jose';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { bodyParams, readBody, replayBody, sortScope, takeFault } from './http';
import type { AuthState } from './state';

export function createTokenRoute(s: AuthState) {
  const {
    opts,
    earliestMode,
    faults,
    issueIdTokenOnRefresh,
    keys,
    record,
    registry,
    requestClientId,
    resource,
    sendTokenError,
    statics,
    store,
    tokenErrors,
  } = s;

  async function shapeIdToken(idToken: string, grantType: string): Promise<string> {
    const c = decodeJwt(idToken);
    const claims: Record<string, unknown> = {
      iss: c.iss,
      sub: c.sub,
      // Production sends a one-element array (protocol notes §7).
      aud: Array.isArray(c.aud) ? c.aud : [c.aud],
      exp: c.exp,
      iat: c.iat,
    };
    if (c.auth_time !== undefined) claims.auth_time = c.auth_time;
    if (grantType === 'authorization_code' && c.nonce !== undefined) claims.nonce = c.nonce;
    for (const k of ['email', 'email_verified', 'name']) if (c[k] !== undefined) claims[k] = c[k];
    return keys.sign(claims);
  }

  function classifyRefresh(params: URLSearchParams, clientId: string): string | undefined {
    const token = params.get('refresh_token');
    if (!token || statics.has(clientId)) return undefined; // static clients get plain invalid_grant
    const stored = store.get('RefreshToken', token);
    if (!stored) return store.destroyedRefreshTokens.has(token) ? 'refresh_token_invalidated' : undefined;
    if (stored.clientId !== clientId) return undefined;
    if (stored.consumed) return 'refresh_token_reused';
    if (typeof stored.exp === 'number' && stored.exp <= Math.floor(Date.now() / 1000)) return 'refresh_token_expired';
    if (typeof stored.grantId === 'string' && !store.get('Grant', stored.grantId)) return 'refresh_token_invalidated';
    return undefined;
  }

  async function onToken(ctx: KoaContextWithOIDC, next: () => Promise<void>) {
    const raw = await readBody(ctx.req);
    const params = bodyParams(raw, ctx.get('content-type'));
    record('token', ctx.method, params);
    const grantType = params.get('grant_type') ?? '';
    const clientId = requestClientId(ctx, params);
    const isStatic = statics.has(clientId);

    const fault = takeFault(faults.token, (f) => !f.grantType || f.grantType === grantType);
    if (fault) {
      ctx.status = fault.status;
      for (const [k, v] of Object.entries(fault.headers ?? {})) ctx.set(k, v);
      if (typeof fault.body === 'string') {
        ctx.type = 'text/plain';
        ctx.body = fault.body;
      } else {
        ctx.body = fault.body ?? '';
      }
      return;
    }

    if ((grantType === 'authorization_code' || grantType === 'refresh_token') && registry.has(clientId)) {
      // Checked before oidc-provider runs so that a rejected request does not spend the code.
      const resources = params.getAll('resource');
      if (resources.length === 0) return sendTokenError(ctx, 'invalid_request', 'resource is required');
      if (resources.length > 1 || resources[0] !== resource) {
        return sendTokenError(ctx, 'invalid_target', 'unknown or multiple resource values');
      }
    }
    const refreshVerdict = grantType === 'refresh_token' ? classifyRefresh(params, clientId) : undefined;

    replayBody(ctx.req, raw);
    await next();

    if (ctx.status !== 200 || typeof ctx.body !== 'object' || ctx.body === null) {
      const err = tokenErrors.get(ctx);
      const plain = (typeof ctx.body === 'object' && ctx.body ? ctx.body : {}) as Record<string, unknown>;
      let code = err?.error ?? (typeof plain.error === 'string' ? plain.error : 'server_error');
      let description = err?.error_description ?? (typeof plain.error_description === 'string' ? plain.error_description : undefined);
      if (code === 'invalid_grant' && refreshVerdict) {
        code = refreshVerdict;
        description = {
          refresh_token_reused: 'refresh token was already used; the whole grant has been revoked',
          refresh_token_invalidated: 'refresh token was revoked',
          refresh_token_expired: 'refresh token has expired',
        }[refreshVerdict];
      }
      ctx.remove('WWW-Authenticate');
      sendTokenError(ctx, code, description, ctx.status >= 500 ? ctx.status : undefined);
      return;
    }

    let body = { ...(ctx.body as Record<string, unknown>) };
    let idTokenClaims: Record<string, unknown> | undefined;
    if (typeof body.id_token === 'string') {
      if (grantType === 'refresh_token' && !issueIdTokenOnRefresh) {
        delete body.id_token;
      } else {
        body.id_token = await shapeIdToken(body.id_token, grantType);
        idTokenClaims = decodeJwt(body.id_token as string);
      }
    }
    if (typeof body.scope === 'string') body.scope = sortScope(body.scope);
    // earliest_refresh_at is a SIWC extension; the generic server never sends it.
    const earliest = Math.floor(Date.now() / 1000) + (opts.earliestRefreshDelay ?? 0);
    if (!isStatic && earliestMode === 'null') body.earliest_refresh_at = null;
    if (!isStatic && earliestMode === 'number') body.earliest_refresh_at = earliest;
    if (!isStatic && earliestMode === 'iso') body.earliest_refresh_at = new Date(earliest * 1000).toISOString();
    const mutate = takeFault(faults.mutateToken);
    if (mutate) body = await mutate(body, { grantType, clientId, idTokenClaims });
    ctx.body = body;

    if (grantType === 'refresh_token' && takeFault(faults.dropRefresh)) {
      ctx.respond = false;
      ctx.req.socket.destroy();
    }
  }

  return { shapeIdToken, classifyRefresh, onToken };
}
