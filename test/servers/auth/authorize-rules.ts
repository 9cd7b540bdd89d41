/**
 * SIWC's authorization-request rules on top of oidc-provider's: the required parameters, a
 * genuine id_token_hint, and a login when the hint names another account than the session's.
 */
import { compactVerify, createLocalJWKSet, decodeJwt } from 'jose';
import { errors, interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { HINT_PARAM, HOST_ID_PATTERN } from './constants';
import type { KeyRing } from './keys';
import type { StaticClient, User } from './types';

export interface AuthorizeRulesContext {
  statics: Map<string, StaticClient>;
  resource: string;
  keys: KeyRing;
  issuer: string;
  userByEmail(email: string | undefined): User | undefined;
}

export function createAuthorizeRules({ statics, resource, keys, issuer, userByEmail }: AuthorizeRulesContext) {
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

  return { hintSub, validateAuthorizationRequest, validateHint, policy };
}
