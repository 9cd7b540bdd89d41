export const SIWC_SCOPES = ['openid', 'profile', 'email', 'offline_access', 'resource.invoke', 'chatgpt.tokens.use.direct'] as const;
export const SIWC_SCOPE = SIWC_SCOPES.join(' ');
export const PLAN_USAGE_SCOPE = 'chatgpt.tokens.use.direct';
export const DEFAULT_RESOURCE = 'https://api.openai.com/v1';
export const DYNAMIC_CLIENT_ID = 'dynamic_agent_client';
export const DEFAULT_EMAIL = 'alice@example.com';
export const DEFAULT_NAME = 'Alice Example';
/** Password of every user that doesn't set one. */
export const DEFAULT_PASSWORD = 'password';
/** Host IDs take one of the three documented forms (protocol notes §3.1). */
export const HOST_ID_PATTERN = /^(urn:uuid:[0-9a-f-]{36}|urn:ietf:params:oauth:jwk-thumbprint:\S+|did:key:\S+)$/i;

export const ROUTES = {
  authorization: '/api/accounts/authorize',
  token: '/api/accounts/oauth/token',
  jwks: '/.well-known/jwks.json',
  revocation: '/api/accounts/oauth/revoke',
} as const;
export const DISCOVERY_PATH = '/.well-known/openid-configuration';
// The registered redirect has no port: oidc-provider then accepts any port for native clients on
// loopback (RFC 8252 §7.3) but still compares host and path exactly, so localhost, a trailing slash
// or /callback are refused like production.
export const REGISTERED_REDIRECT = 'http://127.0.0.1/auth/callback';
// oidc-provider would verify id_token_hint against its own (frozen) keystore; moving it to a
// private parameter lets the stand-in verify it against the rotating JWKS instead.
export const HINT_PARAM = 'siwc_id_token_hint';
// oidc-provider drops offline_access unless prompt=consent is present; SIWC issues refresh tokens
// without it. The stand-in adds prompt=consent itself and remembers here whether the app asked.
export const ASKED_CONSENT_PARAM = 'siwc_prompt_consent';
export const THIRTY_DAYS = 30 * 24 * 3600;
