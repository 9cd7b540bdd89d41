/** The auth stand-in's public surface (AuthServer, its options and faults) and its internal records. */

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
  signIdToken(claims: Record<string, unknown>, opts?: { key?: 'server' | 'rogue'; alg?: 'RS256' | 'HS256' | 'none'; kid?: string }): Promise<string>;
  rotateSigningKey(): Promise<void>;
  /** "User disconnected the app in ChatGPT settings": every token family and consent of the user ends. */
  revokeAllForUser(email: string): Promise<void>;
  /** Force the scope granted by later authorizations (null = back to what the person chose). */
  setGrantedScopeOverride(scope: string | null): void;
  /** Every JWKS key the server publishes (public parts). */
  jwks(): { keys: Array<Record<string, unknown>> };
}

export interface User {
  email: string;
  sub: string;
  name: string;
  password: string;
}

export interface Registration {
  clientId: string;
  confirmed: boolean;
  hostIds: string[];
  agentName?: string | undefined;
}

export interface Consent {
  granted: Set<string>;
  rejected: Set<string>;
}

export interface Fault<T> {
  value: T;
  left: number;
}
