/**
 * Stand-in for OpenAI's "Sign in with ChatGPT" authorization server (auth.openai.com), built on
 * oidc-provider and bent into SIWC's shape: registration through client_id=dynamic_agent_client,
 * loopback redirects on any port, mandatory resource/state/nonce/host ID, strict refresh-token
 * rotation with family revocation on reuse, SIWC error codes, and fault injection.
 * See /work/shared/docs/siwc-protocol.md §2-§9 and §13 for the behaviour being reproduced.
 *
 * The same server can also play a generic OAuth 2.0 / OIDC authorization server (a company LLM
 * gateway's own OAuth server) for pre-registered clients given in `staticClients`. Those clients
 * get plain RFC 6749 + PKCE (S256, mandatory) + OpenID Connect behaviour, none of the SIWC rules:
 *   - redirect_uri http://127.0.0.1:<any port>/auth/callback (RFC 8252 §7.3), exact host and path;
 *   - no resource, ext_agent_host_id, nonce or state requirement (state and nonce are echoed when
 *     sent); the callback carries code, state and iss (iss only with advertiseIss), never
 *     client_id or scope;
 *   - without `openid` in the scope the token response has no id_token (plain OAuth 2.0); with it,
 *     an RS256 id_token whose aud is ["<client_id>"] and that echoes the nonce;
 *   - refresh tokens only for offline_access (no prompt=consent needed) and only when the client's
 *     `refreshTokens` is not false; rotated on every use; reusing a rotated one answers plain
 *     invalid_grant and ends the family (no SIWC refresh_token_* codes, no earliest_refresh_at);
 *   - confidential clients (client_secret set) authenticate at the token and revocation endpoints
 *     with client_secret_basic (default) or client_secret_post; a wrong or missing secret answers
 *     401 {"error":"invalid_client"}. Revocation otherwise answers an empty 200 as for SIWC;
 *   - the same login and consent pages (same selectors) as SIWC, so completeAuthorizationInBrowser
 *     drives them too; verifyAccessToken accepts their access tokens.
 * Discovery is one document for both kinds of clients, at the issuer (http://127.0.0.1:<port>):
 *   discovery      GET  /.well-known/openid-configuration
 *   authorization  GET  /api/accounts/authorize
 *   token          POST /api/accounts/oauth/token
 *   revocation     POST /api/accounts/oauth/revoke
 *   JWKS           GET  /.well-known/jwks.json
 * An app configured with explicit endpoints instead of discovery uses these same paths.
 */
import type { OIDCProviderError } from 'oidc-provider';
import { completeAuthorizationInBrowser as browse, CookieJar, type BrowserOptions } from './browser';
import {
  DEFAULT_EMAIL,
  DEFAULT_PASSWORD,
  DEFAULT_RESOURCE,
  DISCOVERY_PATH,
  PLAN_USAGE_SCOPE,
  REGISTERED_REDIRECT,
  ROUTES,
  SIWC_SCOPE,
  SIWC_SCOPES,
} from './constants';
import { takeFault } from './http';
import { errorPage } from './pages';
import { createAuthorizeRoute } from './authorize';
import { createDiscoveryRoute } from './discovery';
import { createInteractionRoute } from './interaction';
import { createRevokeRoute } from './revoke';
import { createAuthState } from './state';
import { createTokenRoute } from './token';
import type { AuthServer, AuthServerOptions } from './types';

export { CookieJar, DEFAULT_EMAIL, DEFAULT_PASSWORD, DEFAULT_RESOURCE, PLAN_USAGE_SCOPE, SIWC_SCOPE, SIWC_SCOPES };
export type * from './types';
export { STATIC_CLIENT_SCOPES } from './types';

export function completeAuthorizationInBrowser(
  authorizeUrl: string,
  opts?: { email?: string; password?: string; decision?: 'approve' | 'deny'; grantPlanUsage?: boolean } & BrowserOptions,
): Promise<URL> {
  return browse(authorizeUrl, opts);
}

export async function startAuthServer(opts: AuthServerOptions = {}): Promise<AuthServer> {
  const s = await createAuthState(opts);
  const { provider, server, issuer, port, requests, record, faults, keys, store, registry, consents, userByEmail, scopeOverride } = s;
  const { handleInteraction } = createInteractionRoute(s);
  const { onAuthorize, shapeCallback } = createAuthorizeRoute(s);
  const { onToken } = createTokenRoute(s);
  const { onRevoke } = createRevokeRoute(s);
  const { onDiscovery } = createDiscoveryRoute(s);

  provider.use(async (ctx, next) => {
    const path = ctx.path;
    if (path === DISCOVERY_PATH && ctx.method === 'GET') return onDiscovery(ctx, next);
    if (path === ROUTES.jwks && ctx.method === 'GET') {
      record('jwks', ctx.method, new URLSearchParams(ctx.querystring));
      const fault = takeFault(faults.jwks);
      ctx.status = fault ?? 200;
      ctx.body = fault === undefined ? keys.jwks() : { error: 'temporarily_unavailable' };
      return;
    }
    if (path === ROUTES.token && ctx.method === 'POST') return onToken(ctx, next);
    if (path === ROUTES.revocation && ctx.method === 'POST') return onRevoke(ctx, next);
    const interaction = /^\/interaction\/([\w-]+)(?:\/(login|confirm))?$/.exec(path);
    if (interaction) {
      try {
        await handleInteraction(ctx, interaction[1]!, interaction[2]);
      } catch (e) {
        const err = e as Partial<OIDCProviderError>;
        ctx.status = err.statusCode ?? 500;
        ctx.type = 'html';
        ctx.body = errorPage(err.error ?? 'server_error', err.error_description ?? String(e));
      }
      return;
    }
    const isAuthorize = path === ROUTES.authorization && ctx.method === 'GET';
    if (isAuthorize) await onAuthorize(ctx);
    await next();
    if (isAuthorize || path.startsWith(`${ROUTES.authorization}/`)) await shapeCallback(ctx);
  });

  server.on('request', provider.callback());

  const api: AuthServer = {
    issuer,
    port,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async verifyAccessToken(token) {
      const stored = store.get('AccessToken', token);
      if (!stored || typeof stored.exp !== 'number' || stored.exp <= Math.floor(Date.now() / 1000)) return null;
      if (typeof stored.grantId !== 'string' || !store.get('Grant', stored.grantId)) return null;
      return {
        sub: String(stored.accountId),
        clientId: String(stored.clientId),
        scopes: String(stored.scope ?? '')
          .split(' ')
          .filter(Boolean),
        expiresAt: stored.exp,
      };
    },
    clients() {
      return [...registry.values()]
        .filter((r) => r.confirmed)
        .map((r) => ({
          clientId: r.clientId,
          hostId: r.hostIds[0],
          hostIds: [...r.hostIds],
          agentName: r.agentName,
          redirectUris: [REGISTERED_REDIRECT],
        }));
    },
    tokenCalls(grantType) {
      return requests.filter((r) => r.endpoint === 'token' && (!grantType || r.params.grant_type === grantType)).length;
    },
    faults: {
      discoveryStatus: (status, times = 1) => void faults.discovery.push({ value: status, left: times }),
      jwksStatus: (status, times = 1) => void faults.jwks.push({ value: status, left: times }),
      dropAfterRefreshRotation: (times = 1) => void faults.dropRefresh.push({ value: true, left: times }),
      tokenStatus: (status, body, times = 1, grantType, headers) =>
        void faults.token.push({ value: { status, body, grantType, headers }, left: times }),
      revokeStatus: (status, times = 1) => void faults.revoke.push({ value: status, left: times }),
      revokeDrop: (times = 1) => void faults.revoke.push({ value: 'drop', left: times }),
      mutateTokenResponse: (fn, times = 1) => void faults.mutateToken.push({ value: fn, left: times }),
      mutateCallback: (fn, times = 1) => void faults.mutateCallback.push({ value: fn, left: times }),
      reset() {
        for (const list of Object.values(faults)) list.length = 0;
      },
    },
    signIdToken: (claims, o) => keys.sign(claims, o),
    rotateSigningKey: () => keys.rotate(),
    async revokeAllForUser(email) {
      const user = userByEmail(email);
      if (!user) throw new Error(`unknown user ${email}`);
      for (const [grantId, grant] of [...store.table('Grant')]) {
        if (grant.accountId === user.sub) store.revokeGrant(grantId);
      }
      for (const key of [...consents.keys()]) if (key.endsWith(`\n${user.sub}`)) consents.delete(key);
    },
    setGrantedScopeOverride(scope) {
      scopeOverride.current = scope === null ? null : new Set(scope.split(/\s+/).filter(Boolean));
    },
    jwks: () => keys.jwks(),
  };
  return api;
}
