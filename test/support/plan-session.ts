/**
 * A minimal ChatGPT-plan session for tests that need bearer tokens but not
 * the core's sign-in machinery: one authorization-code flow against the
 * stand-in authorization server (the stand-in plays the browser), then the
 * `accessToken()` / `afterUnauthorized()` pair the analysis engine uses, with
 * a real refresh-token grant behind the latter.
 *
 * Deliberately thin (no ID-token verification, no vault): the core's own
 * session is tested elsewhere; analysis tests should not break when sign-in
 * changes. Tokens it obtains are real ones the API stand-in accepts.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { completeAuthorizationInBrowser } from '../servers/auth/auth-server';
import type { StandIns } from '../servers/stack';

const SCOPES = 'openid profile email offline_access resource.invoke chatgpt.tokens.use.direct';
const RESOURCE = 'https://api.openai.com/v1';
const b64url = (buf: Buffer): string => buf.toString('base64url');

export interface PlanSession {
  accessToken(): Promise<string>;
  afterUnauthorized(failedToken: string): Promise<string>;
  /** How many refresh grants this session made. */
  readonly refreshes: number;
}

export async function signInPlanSession(stack: StandIns): Promise<PlanSession> {
  const discovery = (await (await fetch(`${stack.auth.issuer}/.well-known/openid-configuration`)).json()) as {
    authorization_endpoint: string;
    token_endpoint: string;
  };
  const verifier = b64url(randomBytes(32));
  // No listener is needed: the stand-in's browser returns the callback URL without visiting it.
  const redirectUri = 'http://127.0.0.1:1455/auth/callback';
  const authorize = new URL(discovery.authorization_endpoint);
  for (const [key, value] of Object.entries({
    client_id: 'dynamic_agent_client',
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: SCOPES,
    resource: RESOURCE,
    state: b64url(randomBytes(32)),
    nonce: b64url(randomBytes(32)),
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
    ext_agent_host_id: `urn:uuid:${randomUUID()}`,
    agent_name_hint: 'Loupe tests',
  })) {
    authorize.searchParams.set(key, value);
  }
  const callback = await completeAuthorizationInBrowser(authorize.href);
  const code = callback.searchParams.get('code');
  const clientId = callback.searchParams.get('client_id');
  if (!code || !clientId) throw new Error(`authorization failed: ${callback.searchParams.get('error') ?? 'no code'}`);

  const grant = async (params: Record<string, string>): Promise<{ access_token: string; refresh_token?: string }> => {
    const response = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ client_id: clientId, resource: RESOURCE, ...params }),
    });
    if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
    return (await response.json()) as { access_token: string; refresh_token?: string };
  };
  let tokens = await grant({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: redirectUri });
  let refreshes = 0;
  let refreshing: Promise<void> | undefined;

  return {
    accessToken: async () => tokens.access_token,
    async afterUnauthorized(failed) {
      if (tokens.access_token !== failed) return tokens.access_token;
      refreshing ??= grant({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! })
        .then((next) => {
          refreshes++;
          tokens = { ...next, refresh_token: next.refresh_token ?? tokens.refresh_token! };
        })
        .finally(() => (refreshing = undefined));
      await refreshing;
      return tokens.access_token;
    },
    get refreshes() {
      return refreshes;
    },
  };
}
