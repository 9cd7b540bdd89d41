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
import { randomBytes, createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compactVerify, createLocalJWKSet, decodeJwt } from 'jose';
import Provider, {
  errors,
  interactionPolicy,
  type AdapterPayload,
  type KoaContextWithOIDC,
  type OIDCProviderError,
} from 'oidc-provider';
import { completeAuthorizationInBrowser as browse, CookieJar, type BrowserOptions } from './browser';
import {
  DEFAULT_EMAIL,
  DEFAULT_NAME,
  DEFAULT_PASSWORD,
  DEFAULT_RESOURCE,
  DYNAMIC_CLIENT_ID,
  HOST_ID_PATTERN,
  PLAN_USAGE_SCOPE,
  SIWC_SCOPE,
  SIWC_SCOPES,
} from './constants';
import { KeyRing } from './keys';
import { consentPage, errorPage, loginPage } from './pages';
import { ModelStore } from './store';

export { CookieJar, DEFAULT_EMAIL, DEFAULT_PASSWORD, DEFAULT_RESOURCE, PLAN_USAGE_SCOPE, SIWC_SCOPE, SIWC_SCOPES };

/** A pre-registered client of the generic OAuth 2.0 / OIDC side of the stand-in (see header). */
export interface StaticClient {
  client_id: string;
  /** Present: confidential client (client_secret_basic unless token_endpoint_auth_method says otherwise). */
  client_secret?: string;
  token_endpoint_auth_method?: 'none' | 'client_secret_basic' | 'client_secret_post';
  /** Issue refresh tokens (default true). false: token responses never carry refresh_token even with offline_access. */
  refreshTokens?: boolean;
  /** Access-token lifetime for this client in seconds (default: the server's accessTokenTtl). */
  accessTokenTtl?: number;
  /** Scopes this client may get; default STATIC_CLIENT_SCOPES. Asking for another known scope is invalid_scope. */
  scopes?: string[];
}

/** Default scopes of a StaticClient. */
export const STATIC_CLIENT_SCOPES: readonly string[] = ['openid', 'profile', 'email', 'offline_access', 'api'];

export interface AuthServerOptions {
  port?: number;
  /** Pre-registered clients served as a generic OAuth 2.0 / OIDC server, alongside SIWC (see header). */
  staticClients?: StaticClient[];
  /** Access-token lifetime in seconds (default 3600). */
  accessTokenTtl?: number;
  /** Refresh-token lifetime in seconds; each rotation starts a fresh one (default 30 days). */
  refreshTokenTtl?: number;
  resource?: string;
  users?: Array<{ email: string; sub?: string; name?: string; password?: string }>;
  /** How token responses carry earliest_refresh_at (default 'absent'). */
  earliestRefreshAt?: 'absent' | 'null' | 'number' | 'iso';
  /** Seconds after issuance that earliest_refresh_at points to (default 0, i.e. "now"). */
  earliestRefreshDelay?: number;
  /** Token-endpoint error body: {"error","error_description"} | {"error":{"code","message"}} | {"code","message"}. */
  errorShape?: 'rfc' | 'nested' | 'code';
  issueIdTokenOnRefresh?: boolean;
  /** RFC 9207: advertise authorization_response_iss_parameter_supported and send iss on callbacks. */
  advertiseIss?: boolean;
}

export type Endpoint = 'discovery' | 'jwks' | 'authorize' | 'token' | 'revoke';

export interface RecordedRequest {
  endpoint: Endpoint;
  method: string;
  params: Record<string, string | string[]>;
  at: number;
}

export interface VerifiedAccessToken {
  sub: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
}

export interface RegisteredClient {
  clientId: string;
  hostId?: string | undefined;
  /** Every ext_agent_host_id that authorized with this client (hosts may share one registration). */
  hostIds: string[];
  agentName?: string | undefined;
  redirectUris: string[];
}

export interface TokenMutationContext {
  grantType: string;
  clientId: string;
  /** Decoded claims of the ID token in the response, if any, handy for forging a variant. */
  idTokenClaims?: Record<string, unknown> | undefined;
}

export interface AuthServerFaults {
  /** The next `times` discovery requests answer `status`. */
  discoveryStatus(status: number, times?: number): void;
  /** The next `times` JWKS requests answer `status` (503 = JWKS outage). */
  jwksStatus(status: number, times?: number): void;
  /** Rotate the refresh token server-side, then destroy the socket without answering. */
  dropAfterRefreshRotation(times?: number): void;
  /** Answer the token endpoint with this raw status/body (string body = text/plain), without processing the request. */
  tokenStatus(status: number, body: unknown, times?: number, grantType?: string, headers?: Record<string, string>): void;
  revokeStatus(status: number, times?: number): void;
  /** Destroy the socket of the next `times` revocation requests without revoking anything. */
  revokeDrop(times?: number): void;
  /** Rewrite successful token responses (after the server's own shaping). */
  mutateTokenResponse(
    fn: (body: Record<string, unknown>, ctx: TokenMutationContext) => Record<string, unknown> | Promise<Record<string, unknown>>,
    times?: number,
  ): void;
  /** Rewrite the redirect back to the app (success or error). */
  mutateCallback(fn: (url: URL) => URL, times?: number): void;
  reset(): void;
}

export interface AuthServer {
  issuer: string;
  port: number;
  close(): Promise<void>;
  verifyAccessToken(token: string): Promise<VerifiedAccessToken | null>;
  /** Issued oaiapp_ clients whose registration completed (consent approved). */
  clients(): RegisteredClient[];
  requests: RecordedRequest[];
  tokenCalls(grantType?: 'authorization_code' | 'refresh_token'): number;
  faults: AuthServerFaults;
  signIdToken(
    claims: Record<string, unknown>,
    opts?: { key?: 'server' | 'rogue'; alg?: 'RS256' | 'HS256' | 'none'; kid?: string },
  ): Promise<string>;
  rotateSigningKey(): Promise<void>;
  /** "User disconnected the app in ChatGPT settings": every token family and consent of the user ends. */
  revokeAllForUser(email: string): Promise<void>;
  /** Force the scope granted by later authorizations (null = back to what the person chose). */
  setGrantedScopeOverride(scope: string | null): void;
  /** Every JWKS key the server publishes (public parts). */
  jwks(): { keys: Array<Record<string, unknown>> };
}

export function completeAuthorizationInBrowser(
  authorizeUrl: string,
  opts?: { email?: string; password?: string; decision?: 'approve' | 'deny'; grantPlanUsage?: boolean } & BrowserOptions,
): Promise<URL> {
  return browse(authorizeUrl, opts);
}

const ROUTES = {
  authorization: '/api/accounts/authorize',
  token: '/api/accounts/oauth/token',
  jwks: '/.well-known/jwks.json',
  revocation: '/api/accounts/oauth/revoke',
} as const;
const DISCOVERY_PATH = '/.well-known/openid-configuration';
// The registered redirect has no port: oidc-provider then accepts any port for native clients on
// loopback (RFC 8252 §7.3) but still compares host and path exactly, so localhost, a trailing slash
// or /callback are refused like production.
const REGISTERED_REDIRECT = 'http://127.0.0.1/auth/callback';
// oidc-provider would verify id_token_hint against its own (frozen) keystore; moving it to a
// private parameter lets the stand-in verify it against the rotating JWKS instead.
const HINT_PARAM = 'siwc_id_token_hint';
// oidc-provider drops offline_access unless prompt=consent is present; SIWC issues refresh tokens
// without it. The stand-in adds prompt=consent itself and remembers here whether the app asked.
const ASKED_CONSENT_PARAM = 'siwc_prompt_consent';
const THIRTY_DAYS = 30 * 24 * 3600;

interface User {
  email: string;
  sub: string;
  name: string;
  password: string;
}

interface Registration {
  clientId: string;
  confirmed: boolean;
  hostIds: string[];
  agentName?: string | undefined;
}

interface Consent {
  granted: Set<string>;
  rejected: Set<string>;
}

interface Fault<T> {
  value: T;
  left: number;
}

function takeFault<T>(list: Array<Fault<T>>, matches: (value: T) => boolean = () => true): T | undefined {
  const fault = list.find((f) => f.left > 0 && matches(f.value));
  if (!fault) return undefined;
  fault.left -= 1;
  return fault.value;
}

function toParams(search: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of search) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function sortScope(scope: string): string {
  return [...new Set(scope.split(' ').filter(Boolean))].sort().join(' ');
}

function subFor(email: string): string {
  return `user-${createHash('sha256').update(email.toLowerCase()).digest('base64url').slice(0, 24)}`;
}

/** Token and revocation bodies as the app sent them; a JSON body (Codex-style, wrong for SIWC) is logged too. */
function bodyParams(raw: Buffer, contentType: string): URLSearchParams {
  if (!/json/i.test(contentType)) return new URLSearchParams(raw.toString());
  const out = new URLSearchParams();
  try {
    const parsed = JSON.parse(raw.toString()) as Record<string, unknown>;
    for (const [k, v] of Object.entries(parsed)) out.append(k, typeof v === 'string' ? v : JSON.stringify(v));
  } catch {
    out.append('__unparsed_body', raw.toString());
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Lets oidc-provider read a body the stand-in already consumed (to log it and to check params
 * before a code or refresh token is spent). oidc-provider reads bodies through req.iterator()
 * while req.readable is true; its only alternative is a pre-parsed req.body, which works but logs
 * a warning on every run.
 */
function replayBody(req: IncomingMessage, body: Buffer): void {
  Object.defineProperty(req, 'readable', { value: true, configurable: true });
  Object.defineProperty(req, 'iterator', {
    configurable: true,
    value: async function* replay() {
      if (body.length) yield body;
    },
  });
}

export async function startAuthServer(opts: AuthServerOptions = {}): Promise<AuthServer> {
  const resource = opts.resource ?? DEFAULT_RESOURCE;
  const accessTokenTtl = opts.accessTokenTtl ?? 3600;
  const refreshTokenTtl = opts.refreshTokenTtl ?? THIRTY_DAYS;
  const errorShape = opts.errorShape ?? 'rfc';
  const earliestMode = opts.earliestRefreshAt ?? 'absent';
  const issueIdTokenOnRefresh = opts.issueIdTokenOnRefresh ?? true;
  const advertiseIss = opts.advertiseIss ?? true;
  const users: User[] = (opts.users ?? [{ email: DEFAULT_EMAIL, name: DEFAULT_NAME }]).map((u) => ({
    email: u.email,
    sub: u.sub ?? subFor(u.email),
    name: u.name ?? u.email,
    password: u.password ?? DEFAULT_PASSWORD,
  }));
  const userBySub = (sub: string | undefined) => users.find((u) => u.sub === sub);
  const userByEmail = (email: string | undefined) =>
    users.find((u) => u.email.toLowerCase() === (email ?? '').trim().toLowerCase());

  const statics = new Map<string, StaticClient>();
  for (const c of opts.staticClients ?? []) {
    if (!c.client_id || c.client_id === DYNAMIC_CLIENT_ID || statics.has(c.client_id)) {
      throw new Error(`staticClients: invalid or duplicate client_id ${JSON.stringify(c.client_id)}`);
    }
    const method = c.token_endpoint_auth_method ?? (c.client_secret ? 'client_secret_basic' : 'none');
    if ((method === 'none') !== !c.client_secret) {
      throw new Error(`staticClients: ${c.client_id} needs a client_secret exactly when its auth method is not 'none'`);
    }
    statics.set(c.client_id, c);
  }
  const staticScopes = (c: StaticClient) => c.scopes ?? [...STATIC_CLIENT_SCOPES];
  const supportedScopes = [...new Set([...SIWC_SCOPES, ...[...statics.values()].flatMap(staticScopes)])];

  const keys = await KeyRing.create();
  const registry = new Map<string, Registration>();
  const consents = new Map<string, Consent>();
  const consentKey = (clientId: string, sub: string) => `${clientId}\n${sub}`;
  const requests: RecordedRequest[] = [];
  const tokenErrors = new WeakMap<object, OIDCProviderError>();
  let scopeOverride: Set<string> | null = null;

  const clientMetadata = (reg: Registration): AdapterPayload => ({
    client_id: reg.clientId,
    client_name: reg.agentName,
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [REGISTERED_REDIRECT],
  });
  const staticMetadata = (c: StaticClient): AdapterPayload => ({
    client_id: c.client_id,
    client_name: c.client_id,
    ...(c.client_secret ? { client_secret: c.client_secret } : {}),
    // native: loopback redirects on any port (RFC 8252 §7.3), as for the SIWC clients.
    application_type: 'native',
    token_endpoint_auth_method: c.token_endpoint_auth_method ?? (c.client_secret ? 'client_secret_basic' : 'none'),
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [REGISTERED_REDIRECT],
    scope: staticScopes(c).join(' '),
  });
  const store = new ModelStore((id) => {
    const reg = registry.get(id);
    if (reg) return clientMetadata(reg);
    const c = statics.get(id);
    return c ? staticMetadata(c) : undefined;
  });

  const faults = {
    discovery: [] as Array<Fault<number>>,
    jwks: [] as Array<Fault<number>>,
    dropRefresh: [] as Array<Fault<true>>,
    token: [] as Array<Fault<{ status: number; body: unknown; grantType?: string | undefined; headers?: Record<string, string> | undefined }>>,
    revoke: [] as Array<Fault<number | 'drop'>>,
    mutateToken: [] as Array<Fault<Parameters<AuthServerFaults['mutateTokenResponse']>[0]>>,
    mutateCallback: [] as Array<Fault<(url: URL) => URL>>,
  };

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;

  const hintSub = (hint: unknown): string | undefined => {
    if (typeof hint !== 'string') return undefined;
    try {
      const sub = decodeJwt(hint).sub;
      return typeof sub === 'string' ? sub : undefined;
    } catch {
      return undefined;
    }
  };

  // All SIWC-specific authorization-request rules, run by oidc-provider after it has validated
  // client and redirect_uri, so failures go back to the app as error redirects like production.
  async function validateAuthorizationRequest(ctx: KoaContextWithOIDC, hostId: unknown, client?: { clientId: string }) {
    const params = ctx.oidc?.params ?? {};
    if (client && statics.has(client.clientId)) {
      // Generic OAuth 2.0 / OIDC client: none of the SIWC rules, but a hint must still be genuine.
      await validateHint(params, client);
      return;
    }
    if (!params.state) throw new errors.InvalidRequest('state is required');
    if (!params.nonce) throw new errors.InvalidRequest('nonce is required');
    if (!params.resource) throw new errors.InvalidRequest('resource is required');
    if (params.resource !== resource) throw new errors.InvalidTarget(`unknown resource ${String(params.resource)}`);
    if (typeof hostId !== 'string' || !hostId) throw new errors.InvalidRequest('ext_agent_host_id is required');
    if (!HOST_ID_PATTERN.test(hostId)) throw new errors.InvalidRequest('ext_agent_host_id has an unsupported format');
    await validateHint(params, client);
  }

  async function validateHint(params: Record<string, unknown>, client?: { clientId: string }) {
    const hint = params[HINT_PARAM];
    if (typeof hint === 'string') {
      let claims: Record<string, unknown>;
      try {
        // Expired hints are fine (protocol notes §4), so only the signature is verified here.
        const { payload } = await compactVerify(hint, createLocalJWKSet(keys.jwks()), { algorithms: ['RS256'] });
        claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
      } catch {
        throw new errors.InvalidRequest('id_token_hint is invalid');
      }
      const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (claims.iss !== issuer || !client || !aud.includes(client.clientId)) {
        throw new errors.InvalidRequest('id_token_hint was not issued to this client');
      }
      const loginHint = params.login_hint;
      if (typeof loginHint === 'string' && userByEmail(loginHint)?.sub !== claims.sub) {
        throw new errors.InvalidRequest('login_hint and id_token_hint name different accounts');
      }
    }
  }

  const policy = interactionPolicy.base();
  // With a hint for another account than the browser session's, make the person log in rather
  // than silently issuing tokens for the session's account. Skipped right after a login so that
  // logging in as someone else still completes (the app must then detect account_mismatch).
  policy.get('login')!.checks.add(
    new interactionPolicy.Check('siwc_hinted_account', 'the hinted account is not signed in', 'login_required', (ctx) => {
      const oidc = ctx.oidc;
      const accountId = oidc?.session?.accountId;
      if (!accountId || oidc?.result?.login) return false;
      const fromToken = hintSub(oidc?.params?.[HINT_PARAM]);
      if (fromToken) return fromToken !== accountId;
      const loginHint = oidc?.params?.login_hint;
      return typeof loginHint === 'string' && userByEmail(loginHint)?.sub !== accountId;
    }),
  );

  const provider = new Provider(issuer, {
    adapter: (name: string) => store.adapterFor(name),
    jwks: { keys: [keys.initial.privateJwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: supportedScopes,
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // SIWC puts email and name in the ID token of a code flow.
    conformIdTokenClaims: false,
    async findAccount(_ctx: unknown, sub: string) {
      const user = userBySub(sub);
      if (!user) return undefined;
      return {
        accountId: user.sub,
        async claims() {
          return { sub: user.sub, email: user.email, email_verified: true, name: user.name };
        },
      };
    },
    features: {
      devInteractions: { enabled: false },
      dPoP: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      userinfo: { enabled: false },
      // resource is validated by the stand-in (authorize: extraParams; token: middleware) and the
      // access token stays opaque, so oidc-provider's resource-server machinery is not needed.
      resourceIndicators: { enabled: false },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx: unknown, client: { clientId: string }, token: { clientId?: string }) =>
          token.clientId === client.clientId,
      },
    },
    routes: ROUTES,
    responseTypes: ['code'],
    // The secret-based methods exist only for static clients; a pure SIWC server advertises 'none'.
    clientAuthMethods: statics.size ? ['none', 'client_secret_basic', 'client_secret_post'] : ['none'],
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
    pkce: { required: () => true },
    allowOmittingSingleRegisteredRedirectUri: false,
    rotateRefreshToken: true,
    // oidc-provider's default rule (refresh_token grant allowed and offline_access granted), plus
    // the per-client opt-out of static clients.
    async issueRefreshToken(
      _ctx: unknown,
      client: { clientId: string; grantTypeAllowed(type: string): boolean },
      code: { scopes: Set<string> },
    ) {
      return (
        client.grantTypeAllowed('refresh_token') &&
        code.scopes.has('offline_access') &&
        statics.get(client.clientId)?.refreshTokens !== false
      );
    },
    // Tokens outlive the browser session at the authorization server, as with a desktop app.
    expiresWithSession: () => false,
    ttl: {
      AccessToken: (_ctx: unknown, _token: unknown, client?: { clientId: string }) =>
        (client ? statics.get(client.clientId)?.accessTokenTtl : undefined) ?? accessTokenTtl,
      RefreshToken: refreshTokenTtl,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: 10 * 365 * 24 * 3600,
    },
    extraParams: {
      ext_agent_host_id: validateAuthorizationRequest,
      agent_name_hint: null,
      resource: null,
      [HINT_PARAM]: null,
      [ASKED_CONSENT_PARAM]: null,
    },
    interactions: {
      policy,
      url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    // Each completed authorization gets a fresh grant (= token family) created by the consent
    // step; what the person agreed to is kept separately in `consents`, so revoking one family
    // (sign-out, reuse detection) does not bring the consent screen back on the next sign-in.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const consent = ctx.oidc?.result?.consent as { grantId?: string } | undefined;
      return consent?.grantId ? provider.Grant.find(consent.grantId) : undefined;
    },
    async renderError(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }) {
      ctx.type = 'html';
      ctx.body = errorPage(out.error, out.error_description);
    },
  });

  provider.on('grant.error', (ctx: object, err: OIDCProviderError) => tokenErrors.set(ctx, err));
  provider.on('server_error', (ctx: object, err: OIDCProviderError) => tokenErrors.set(ctx, err));

  const record = (endpoint: Endpoint, method: string, params: URLSearchParams) =>
    requests.push({ endpoint, method, params: toParams(params), at: Date.now() });

  const errorBody = (code: string, description?: string): Record<string, unknown> => {
    switch (errorShape) {
      case 'nested':
        return { error: { code, message: description ?? code } };
      case 'code':
        return { code, message: description ?? code };
      default:
        return description ? { error: code, error_description: description } : { error: code };
    }
  };
  const sendTokenError = (ctx: KoaContextWithOIDC, code: string, description?: string, status?: number) => {
    ctx.status = status ?? (code === 'invalid_client' ? 401 : 400);
    ctx.body = errorBody(code, description);
    ctx.set('Cache-Control', 'no-store');
  };

  async function issueGrant(accountId: string, clientId: string, requested: string[], granted: Set<string>) {
    let scopes = requested.filter((s) => s === 'openid' || granted.has(s));
    if (scopeOverride) scopes = scopes.filter((s) => s === 'openid' || scopeOverride!.has(s));
    const rejected = requested.filter((s) => !scopes.includes(s));
    const grant = new provider.Grant({ accountId, clientId });
    if (scopes.length) grant.addOIDCScope(scopes.join(' '));
    if (rejected.length) grant.rejectOIDCScope(rejected.join(' '));
    return grant.save();
  }

  const requestedScopes = (params: Record<string, unknown>) => {
    const known = statics.get(String(params.client_id));
    const allowed: readonly string[] = known ? staticScopes(known) : SIWC_SCOPES;
    return [
      ...new Set(
        String(params.scope ?? '')
          .split(' ')
          .filter((s) => allowed.includes(s)),
      ),
    ];
  };

  /** client_id of a token or revocation request: form body, else HTTP Basic credentials. */
  function requestClientId(ctx: KoaContextWithOIDC, params: URLSearchParams): string {
    const fromBody = params.get('client_id');
    if (fromBody) return fromBody;
    const auth = /^basic\s+(\S+)$/i.exec(ctx.get('authorization') ?? '');
    if (!auth) return '';
    const decoded = Buffer.from(auth[1]!, 'base64').toString();
    const colon = decoded.indexOf(':');
    try {
      return decodeURIComponent((colon < 0 ? decoded : decoded.slice(0, colon)).replaceAll('+', ' '));
    } catch {
      return '';
    }
  }

  async function finishInteraction(ctx: KoaContextWithOIDC, result: Record<string, unknown>, merge = true) {
    const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge });
    ctx.redirect(to);
    ctx.status = 303;
  }

  async function handleInteraction(ctx: KoaContextWithOIDC, uid: string, action: string | undefined) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid !== uid) throw new errors.InvalidRequest('interaction mismatch');
    const params = details.params;
    const clientId = String(params.client_id);
    const reg = registry.get(clientId);
    const isStatic = statics.has(clientId);
    const form = ctx.method === 'POST' ? new URLSearchParams((await readBody(ctx.req)).toString()) : undefined;

    if (details.prompt.name === 'login') {
      const hinted = userBySub(hintSub(params[HINT_PARAM]))?.email ?? (params.login_hint as string | undefined);
      if (action === 'login' && form) {
        const user = userByEmail(form.get('email') ?? '');
        if (user && form.get('password') === user.password) {
          const previous = details.session;
          if (previous?.accountId && previous.accountId !== user.sub) {
            // oidc-provider answers an account switch inside one browser session with an
            // RP-initiated-logout form that needs JavaScript and the end_session endpoint. SIWC
            // just switches accounts, so forget the old session before finishing the login.
            const stored = store.get('Interaction', uid);
            if (stored) delete stored.session;
            if (previous.cookie) store.delete('Session', previous.cookie);
          }
          await finishInteraction(ctx, { login: { accountId: user.sub } }, false);
          return;
        }
        ctx.status = 401;
        ctx.type = 'html';
        ctx.body = loginPage({ uid, email: form.get('email') ?? hinted, error: 'Wrong email or password.' });
        return;
      }
      ctx.type = 'html';
      ctx.body = loginPage({ uid, email: hinted });
      return;
    }

    if (details.prompt.name !== 'consent' || !details.session) throw new errors.InvalidRequest('unexpected interaction');
    const accountId = details.session.accountId;
    const requested = requestedScopes(params);
    const key = consentKey(clientId, accountId);
    const previous = consents.get(key);

    if (action === 'confirm' && form) {
      if (form.get('decision') !== 'approve') {
        await finishInteraction(ctx, { error: 'access_denied', error_description: 'The user declined the request.' }, false);
        return;
      }
      const granted = new Set(requested);
      if (!form.has('plan_usage')) granted.delete(PLAN_USAGE_SCOPE);
      const consent = previous ?? { granted: new Set<string>(), rejected: new Set<string>() };
      for (const s of requested) {
        if (granted.has(s)) {
          consent.granted.add(s);
          consent.rejected.delete(s);
        } else {
          consent.rejected.add(s);
          consent.granted.delete(s);
        }
      }
      consents.set(key, consent);
      const agentName = form.get('agent_name');
      if (reg && !reg.confirmed && agentName) reg.agentName = agentName;
      const grantId = await issueGrant(accountId, clientId, requested, granted);
      await finishInteraction(ctx, { consent: { grantId } });
      return;
    }

    const forced = params[ASKED_CONSENT_PARAM] === '1';
    const covered = previous && requested.every((s) => previous.granted.has(s) || previous.rejected.has(s));
    if (!forced && covered && (reg?.confirmed || isStatic)) {
      // Routine reauth: no consent screen; the earlier choice (e.g. declined plan usage) stands.
      const grantId = await issueGrant(accountId, clientId, requested, previous.granted);
      await finishInteraction(ctx, { consent: { grantId } });
      return;
    }
    ctx.type = 'html';
    ctx.body = consentPage({
      uid,
      email: userBySub(accountId)?.email ?? accountId,
      firstRegistration: !isStatic && !reg?.confirmed,
      agentName: isStatic ? clientId : (reg?.agentName ?? String(params.agent_name_hint ?? 'Unnamed app')),
      scopes: requested,
      offerPlanUsage: requested.includes(PLAN_USAGE_SCOPE),
    });
  }

  async function onAuthorize(ctx: KoaContextWithOIDC) {
    const query = new URLSearchParams(ctx.querystring);
    record('authorize', ctx.method, query);
    const clientId = query.getAll('client_id');
    const hostId = query.get('ext_agent_host_id') ?? undefined;
    if (clientId.length === 1 && clientId[0] === DYNAMIC_CLIENT_ID) {
      // Registration happens inside the authorization request: mint the client now and let
      // oidc-provider treat the request as if the app had used the new ID. It stays invisible
      // (and is dropped on denial) until the person approves.
      const reg: Registration = {
        clientId: `oaiapp_${randomBytes(12).toString('hex')}`,
        confirmed: false,
        hostIds: hostId ? [hostId] : [],
        agentName: query.get('agent_name_hint') ?? undefined,
      };
      registry.set(reg.clientId, reg);
      query.set('client_id', reg.clientId);
    } else if (clientId.length === 1) {
      const reg = registry.get(clientId[0]!);
      if (reg && hostId && !reg.hostIds.includes(hostId)) reg.hostIds.push(hostId);
      // oidc-provider refuses nonce without openid; a lenient generic server just ignores it.
      const plainOAuth = !(query.get('scope') ?? '').split(' ').includes('openid');
      if (statics.has(clientId[0]!) && plainOAuth) query.delete('nonce');
    }
    const prompts = query.getAll('prompt');
    if (prompts.length <= 1) {
      const values = (prompts[0] ?? '').split(' ').filter(Boolean);
      query.set(ASKED_CONSENT_PARAM, values.includes('consent') ? '1' : '0');
      const offline = (query.get('scope') ?? '').split(' ').includes('offline_access');
      if (offline && !values.includes('consent') && !values.includes('none')) {
        query.set('prompt', [...values, 'consent'].join(' '));
      }
    }
    const hint = query.getAll('id_token_hint');
    if (hint.length === 1) {
      query.delete('id_token_hint');
      query.set(HINT_PARAM, hint[0]!);
    }
    ctx.querystring = query.toString();
  }

  // The final redirect to the app comes from the authorization endpoint or its resume route.
  async function shapeCallback(ctx: KoaContextWithOIDC) {
    if (ctx.status < 300 || ctx.status >= 400) return;
    const location = ctx.response.get('Location');
    if (!location) return;
    let url = new URL(location, issuer);
    if (url.origin === issuer) return;
    const reg = ctx.oidc?.client ? registry.get(ctx.oidc.client.clientId) : undefined;
    const code = url.searchParams.get('code');
    if (reg && code) {
      if (!reg.confirmed) {
        reg.confirmed = true;
        url.searchParams.set('client_id', reg.clientId);
      }
      const stored = store.get('AuthorizationCode', code);
      if (typeof stored?.scope === 'string') url.searchParams.set('scope', sortScope(stored.scope));
    } else if (reg && !reg.confirmed) {
      registry.delete(reg.clientId);
    }
    if (!advertiseIss) url.searchParams.delete('iss');
    const mutate = takeFault(faults.mutateCallback);
    if (mutate) url = mutate(new URL(url.href));
    const status = ctx.status;
    ctx.redirect(url.href);
    ctx.status = status;
  }

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
        idTokenClaims = decodeJwt(body.id_token as string) as Record<string, unknown>;
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

  async function onDiscovery(ctx: KoaContextWithOIDC, next: () => Promise<void>) {
    record('discovery', ctx.method, new URLSearchParams(ctx.querystring));
    const fault = takeFault(faults.discovery);
    if (fault !== undefined) {
      ctx.status = fault;
      ctx.body = { error: 'server_error' };
      return;
    }
    await next();
    if (ctx.status !== 200 || typeof ctx.body !== 'object' || ctx.body === null) return;
    const full = ctx.body as Record<string, unknown>;
    const keep = [
      'issuer',
      'authorization_endpoint',
      'token_endpoint',
      'jwks_uri',
      'revocation_endpoint',
      'response_types_supported',
      'response_modes_supported',
      'grant_types_supported',
      'subject_types_supported',
      'scopes_supported',
      'claims_supported',
      'id_token_signing_alg_values_supported',
      'code_challenge_methods_supported',
      'token_endpoint_auth_methods_supported',
    ];
    const doc: Record<string, unknown> = {};
    for (const k of keep) if (full[k] !== undefined) doc[k] = full[k];
    doc.response_modes_supported = ['query'];
    doc.revocation_endpoint_auth_methods_supported = doc.token_endpoint_auth_methods_supported ?? ['none'];
    if (advertiseIss) doc.authorization_response_iss_parameter_supported = true;
    ctx.body = doc;
  }

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
        scopes: String(stored.scope ?? '').split(' ').filter(Boolean),
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
      scopeOverride = scope === null ? null : new Set(scope.split(/\s+/).filter(Boolean));
    },
    jwks: () => keys.jwks() as { keys: Array<Record<string, unknown>> },
  };
  return api;
}
