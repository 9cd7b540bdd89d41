/**
 * A client of the stand-in SIWC server for its own tests: discovery, authorize URLs,
 * code exchange and refresh through oauth4webapi, and a first registration through the fake browser.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import * as oauth from 'oauth4webapi';
import { completeAuthorizationInBrowser, SIWC_SCOPE, startAuthServer, type AuthServer, type AuthServerOptions } from './auth-server';

export const RESOURCE = 'https://api.openai.com/v1';
export const insecure = { [oauth.allowInsecureRequests]: true } as const;

export interface Attempt {
  url: URL;
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
}

export async function discover(server: AuthServer): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(server.issuer);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
}

/** A fresh stand-in server and its discovered metadata: each test file's set-up. */
export async function startDiscovered(): Promise<{ server: AuthServer; as: oauth.AuthorizationServer }> {
  const server = await startAuthServer();
  return { server, as: await discover(server) };
}

export async function authorizeUrl(
  as: oauth.AuthorizationServer,
  p: {
    clientId?: string;
    hostId?: string;
    port?: number;
    redirectUri?: string;
    prompt?: string;
    omit?: string[];
    extra?: Record<string, string>;
  } = {},
): Promise<Attempt> {
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const verifier = oauth.generateRandomCodeVerifier();
  const redirectUri = p.redirectUri ?? `http://127.0.0.1:${p.port ?? 51234}/auth/callback`;
  const url = new URL(as.authorization_endpoint!);
  const q: Record<string, string> = {
    client_id: p.clientId ?? 'dynamic_agent_client',
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: SIWC_SCOPE,
    resource: RESOURCE,
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ext_agent_host_id: p.hostId ?? HOST_ID,
    ...(p.clientId ? {} : { agent_name_hint: 'Loupe' }),
    ...(p.prompt ? { prompt: p.prompt } : {}),
    ...p.extra,
  };
  for (const [k, v] of Object.entries(q)) if (!p.omit?.includes(k)) url.searchParams.set(k, v);
  return { url, state, nonce, verifier, redirectUri };
}

export async function exchange(as: oauth.AuthorizationServer, attempt: Attempt, callback: URL, clientId: string) {
  const client: oauth.Client = { client_id: clientId };
  const params = oauth.validateAuthResponse(as, client, callback, attempt.state);
  const res = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, attempt.redirectUri, attempt.verifier, {
    additionalParameters: { resource: RESOURCE },
    ...insecure,
  });
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, res, { expectedNonce: attempt.nonce, requireIdToken: true });
  await oauth.validateApplicationLevelSignature(as, res, insecure);
  return tokens;
}

export async function refresh(as: oauth.AuthorizationServer, clientId: string, refreshToken: string) {
  const client: oauth.Client = { client_id: clientId };
  const res = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, {
    additionalParameters: { resource: RESOURCE },
    ...insecure,
  });
  const tokens = await oauth.processRefreshTokenResponse(as, client, res);
  if (tokens.id_token) await oauth.validateApplicationLevelSignature(as, res, insecure);
  return tokens;
}

export async function refreshError(as: oauth.AuthorizationServer, clientId: string, refreshToken: string): Promise<string> {
  const err = await refresh(as, clientId, refreshToken).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(oauth.ResponseBodyError);
  return (err as oauth.ResponseBodyError).error;
}

export async function postForm(url: string, body: Record<string, string>) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json: json as Record<string, unknown> | undefined, type: res.headers.get('content-type') };
}

/** First registration through the fake browser, then the code exchange. */
export async function register(
  server: AuthServer,
  as: oauth.AuthorizationServer,
  browser: Parameters<typeof completeAuthorizationInBrowser>[1] = {},
) {
  const attempt = await authorizeUrl(as);
  const callback = await completeAuthorizationInBrowser(attempt.url.href, browser);
  const clientId = callback.searchParams.get('client_id');
  expect(clientId).toMatch(/^oaiapp_/);
  const tokens = await exchange(as, attempt, callback, clientId!);
  return { attempt, callback, clientId: clientId!, tokens };
}

export const HOST_ID = `urn:uuid:${randomUUID()}`;

export async function withServer<T>(opts: AuthServerOptions, fn: (server: AuthServer, as: oauth.AuthorizationServer) => Promise<T>) {
  const server = await startAuthServer(opts);
  try {
    return await fn(server, await discover(server));
  } finally {
    await server.close();
  }
}
