/**
 * Where Loupe signs in and sends API calls. Production is fixed to OpenAI;
 * another issuer or API base (a stand-in server for development and tests) is
 * honoured only in unpackaged builds, and plain http only on loopback hosts.
 */
import { CREDENTIALS_URL_RULE, INSECURE_URL_RULE, checkSecureUrl, withoutTrailingSlash } from '../kernel/urls';
import { oauthError } from './errors';

export const PRODUCTION_ISSUER = 'https://auth.openai.com';
export const PRODUCTION_API_BASE = 'https://api.openai.com/v1';
/** RFC 8707 resource indicator for the OpenAI API; an identifier, the same for stand-ins. */
export const OPENAI_RESOURCE = 'https://api.openai.com/v1';
/** The scopes Sign in with ChatGPT asks for (RFC 6749 §3.3; protocol notes §4): OIDC identity, a refresh token, the API. */
export const SIWC_SCOPE = 'openid profile email offline_access resource.invoke chatgpt.tokens.use.direct';
/** The scope that lets API calls use the person's ChatGPT plan; granted only with their consent. */
export const PLAN_USAGE_SCOPE = 'chatgpt.tokens.use.direct';
/** The client id of a first sign-in, before SIWC issues the real one on the callback (protocol notes §5). */
export const DYNAMIC_CLIENT_ID = 'dynamic_agent_client';
/** How a first sign-in names Loupe on the consent page (`agent_name_hint`). */
export const AGENT_NAME = 'Loupe';

export interface Endpoints {
  issuer: URL;
  /** The exact issuer identifier string discovery must return (no trailing slash, like `https://auth.openai.com`). */
  issuerId: string;
  apiBase: URL;
  resource: string;
  /** Plain-http loopback stand-in: oauth4webapi must be told to allow it. */
  allowInsecure: boolean;
  /** Set when the issuer is not OpenAI's; the window shows a "test issuer" badge. */
  testIssuer: string | null;
}

export interface EndpointOverrides {
  issuer?: string | undefined;
  apiBase?: string | undefined;
}

function parseOverride(raw: string, what: string): URL {
  const url = checkSecureUrl(raw);
  if (url === 'invalid') throw oauthError('invalid_configuration', `${what} is not a valid URL.`);
  if (url === 'insecure') throw oauthError('invalid_configuration', `${what} ${INSECURE_URL_RULE}.`);
  if (url === 'credentials') throw oauthError('invalid_configuration', `${what} ${CREDENTIALS_URL_RULE}.`);
  return url;
}

/** ChatGPT's issuer and API base: OpenAI's, or a development override where allowed. */
export function resolveEndpoints(overrides: EndpointOverrides, options: { dev: boolean }): Endpoints {
  const wantsOverride = Boolean(overrides.issuer || overrides.apiBase);
  if (wantsOverride && !options.dev) {
    throw oauthError('invalid_configuration', 'A custom issuer or API base is only allowed in development builds.');
  }
  const issuer = overrides.issuer ? parseOverride(overrides.issuer, 'LOUPE_CHATGPT_ISSUER') : new URL(PRODUCTION_ISSUER);
  const apiBase = overrides.apiBase ? parseOverride(overrides.apiBase, 'LOUPE_OPENAI_API_BASE') : new URL(PRODUCTION_API_BASE);
  const issuerString = withoutTrailingSlash(issuer.href);
  return {
    issuer: new URL(issuerString),
    issuerId: issuerString,
    apiBase: new URL(withoutTrailingSlash(apiBase.href)),
    resource: OPENAI_RESOURCE,
    allowInsecure: issuer.protocol === 'http:' || apiBase.protocol === 'http:',
    testIssuer: issuerString === PRODUCTION_ISSUER ? null : issuerString,
  };
}
