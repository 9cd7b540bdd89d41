/** The discovery document, shaped like auth.openai.com's, with its faults. */
import type { KoaContextWithOIDC } from 'oidc-provider';
import { takeFault } from './http';
import type { AuthState } from './state';

export function createDiscoveryRoute(s: AuthState) {
  const { advertiseIss, faults, record } = s;

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

  return { onDiscovery };
}
