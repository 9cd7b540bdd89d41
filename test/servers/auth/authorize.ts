/** The authorization endpoint: SIWC request rules before oidc-provider, and the callback shaped after it. */
import { randomBytes } from 'node:crypto';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { ASKED_CONSENT_PARAM, DYNAMIC_CLIENT_ID, HINT_PARAM } from './constants';
import { sortScope, takeFault } from './http';
import type { Registration } from './types';
import type { AuthState } from './state';

export function createAuthorizeRoute(s: AuthState) {
  const { advertiseIss, faults, issuer, record, registry, statics, store } = s;

  async function onAuthorize(ctx: KoaContextWithOIDC) {
    const query = new URLSearchParams(ctx.querystring);
    record('authorize', ctx.method, query);
    const clientId = query.getAll('client_id');
    const hostId = query.get('ext_agent_host_id') ?? undefined;
    if (clientId.length === 1 && clientId[0] === DYNAMIC_CLIENT_ID) {
      // Registration happens inside the authorization request: mint the client now and let
      // oidc-provider treat the request as if the app had used the new ID. It stays invisible
      // (and is dropped on denial) until the person approves.
      const reg: Registration = {
        clientId: `oaiapp_${randomBytes(12).toString('hex')}`,
        confirmed: false,
        hostIds: hostId ? [hostId] : [],
        agentName: query.get('agent_name_hint') ?? undefined,
      };
      registry.set(reg.clientId, reg);
      query.set('client_id', reg.clientId);
    } else if (clientId.length === 1) {
      const reg = registry.get(clientId[0]!);
      if (reg && hostId && !reg.hostIds.includes(hostId)) reg.hostIds.push(hostId);
      // oidc-provider refuses nonce without openid; a lenient generic server just ignores it.
      const plainOAuth = !(query.get('scope') ?? '').split(' ').includes('openid');
      if (statics.has(clientId[0]!) && plainOAuth) query.delete('nonce');
    }
    const prompts = query.getAll('prompt');
    if (prompts.length <= 1) {
      const values = (prompts[0] ?? '').split(' ').filter(Boolean);
      query.set(ASKED_CONSENT_PARAM, values.includes('consent') ? '1' : '0');
      const offline = (query.get('scope') ?? '').split(' ').includes('offline_access');
      if (offline && !values.includes('consent') && !values.includes('none')) {
        query.set('prompt', [...values, 'consent'].join(' '));
      }
    }
    const hint = query.getAll('id_token_hint');
    if (hint.length === 1) {
      query.delete('id_token_hint');
      query.set(HINT_PARAM, hint[0]!);
    }
    ctx.querystring = query.toString();
  }

  // The final redirect to the app comes from the authorization endpoint or its resume route.
  async function shapeCallback(ctx: KoaContextWithOIDC) {
    if (ctx.status < 300 || ctx.status >= 400) return;
    const location = ctx.response.get('Location');
    if (!location) return;
    let url = new URL(location, issuer);
    if (url.origin === issuer) return;
    const reg = ctx.oidc?.client ? registry.get(ctx.oidc.client.clientId) : undefined;
    const code = url.searchParams.get('code');
    if (reg && code) {
      if (!reg.confirmed) {
        reg.confirmed = true;
        url.searchParams.set('client_id', reg.clientId);
      }
      const stored = store.get('AuthorizationCode', code);
      if (typeof stored?.scope === 'string') url.searchParams.set('scope', sortScope(stored.scope));
    } else if (reg && !reg.confirmed) {
      registry.delete(reg.clientId);
    }
    if (!advertiseIss) url.searchParams.delete('iss');
    const mutate = takeFault(faults.mutateCallback);
    if (mutate) url = mutate(new URL(url.href));
    const status = ctx.status;
    ctx.redirect(url.href);
    ctx.status = status;
  }

  return { onAuthorize, shapeCallback };
}
