/** The clients a stand-in knows: SIWC registrations it issued, and static clients a test configured. */
import type { AdapterPayload } from 'oidc-provider';
import { DYNAMIC_CLIENT_ID, REGISTERED_REDIRECT } from './constants';
import { type Registration, type StaticClient, STATIC_CLIENT_SCOPES } from './types';

/** The configured static clients by id; refuses duplicates and secrets that do not match the auth method. */
export function parseStaticClients(list: StaticClient[]): Map<string, StaticClient> {
  const statics = new Map<string, StaticClient>();
  for (const c of list) {
    if (!c.client_id || c.client_id === DYNAMIC_CLIENT_ID || statics.has(c.client_id)) {
      throw new Error(`staticClients: invalid or duplicate client_id ${JSON.stringify(c.client_id)}`);
    }
    const method = c.token_endpoint_auth_method ?? (c.client_secret ? 'client_secret_basic' : 'none');
    if ((method === 'none') !== !c.client_secret) {
      throw new Error(`staticClients: ${c.client_id} needs a client_secret exactly when its auth method is not 'none'`);
    }
    statics.set(c.client_id, c);
  }
  return statics;
}

export function staticScopes(c: StaticClient): string[] {
  return c.scopes ?? [...STATIC_CLIENT_SCOPES];
}

export const clientMetadata = (reg: Registration): AdapterPayload => ({
  client_id: reg.clientId,
  client_name: reg.agentName,
  application_type: 'native',
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: [REGISTERED_REDIRECT],
});
export const staticMetadata = (c: StaticClient): AdapterPayload => ({
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
