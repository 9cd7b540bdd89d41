export const SIWC_SCOPES = [
  'openid',
  'profile',
  'email',
  'offline_access',
  'resource.invoke',
  'chatgpt.tokens.use.direct',
] as const;
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
