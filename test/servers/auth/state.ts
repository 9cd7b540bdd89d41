/**
 * Everything one auth stand-in holds: its configuration, users, clients, grants and faults, the
 * oidc-provider instance bent into SIWC's shape, and the helpers every route shares.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type KoaContextWithOIDC, type OIDCProviderError } from 'oidc-provider';
import { createAuthorizeRules } from './authorize-rules';
import { clientMetadata, parseStaticClients, staticMetadata, staticScopes } from './clients';
import {
  ASKED_CONSENT_PARAM,
  DEFAULT_EMAIL,
  DEFAULT_NAME,
  DEFAULT_PASSWORD,
  DEFAULT_RESOURCE,
  HINT_PARAM,
  ROUTES,
  SIWC_SCOPES,
  THIRTY_DAYS,
} from './constants';
import { requestClientId, subFor, toParams } from './http';
import { KeyRing } from './keys';
import { errorPage } from './pages';
import { ModelStore } from './store';
import {
  type AuthServerFaults,
  type AuthServerOptions,
  type Endpoint,
  type RecordedRequest,
  type Consent,
  type Registration,
  type User,
  type Fault,
} from './types';

export async function createAuthState(opts: AuthServerOptions) {
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
  const userByEmail = (email: string | undefined) => users.find((u) => u.email.toLowerCase() === (email ?? '').trim().toLowerCase());

  const statics = parseStaticClients(opts.staticClients ?? []);
  const supportedScopes = [...new Set([...SIWC_SCOPES, ...[...statics.values()].flatMap(staticScopes)])];

  const keys = await KeyRing.create();
  const registry = new Map<string, Registration>();
  const consents = new Map<string, Consent>();
  const consentKey = (clientId: string, sub: string) => `${clientId}\n${sub}`;
  const requests: RecordedRequest[] = [];
  const tokenErrors = new WeakMap<object, OIDCProviderError>();
  // Set by the test through setGrantedScopeOverride; read when a grant is issued.
  const scopeOverride: { current: Set<string> | null } = { current: null };

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

  const { hintSub, validateAuthorizationRequest, validateHint, policy } = createAuthorizeRules({ statics, resource, keys, issuer, userByEmail });

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
        allowedPolicy: async (_ctx: unknown, client: { clientId: string }, token: { clientId?: string }) => token.clientId === client.clientId,
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
    async issueRefreshToken(_ctx: unknown, client: { clientId: string; grantTypeAllowed(type: string): boolean }, code: { scopes: Set<string> }) {
      return client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access') && statics.get(client.clientId)?.refreshTokens !== false;
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
    if (scopeOverride.current) scopes = scopes.filter((s) => s === 'openid' || scopeOverride.current!.has(s));
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

  return {
    opts,
    scopeOverride,
    accessTokenTtl,
    advertiseIss,
    clientMetadata,
    consentKey,
    consents,
    earliestMode,
    errorBody,
    errorShape,
    faults,
    hintSub,
    issueGrant,
    issueIdTokenOnRefresh,
    issuer,
    keys,
    policy,
    port,
    provider,
    record,
    refreshTokenTtl,
    registry,
    requestClientId,
    requestedScopes,
    requests,
    resource,
    sendTokenError,
    server,
    staticMetadata,
    staticScopes,
    statics,
    store,
    supportedScopes,
    tokenErrors,
    userByEmail,
    userBySub,
    users,
    validateAuthorizationRequest,
    validateHint,
  };
}

export type AuthState = Awaited<ReturnType<typeof createAuthState>>;
