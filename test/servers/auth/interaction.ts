/** The login and consent pages: what the person does in the browser. */
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { ASKED_CONSENT_PARAM, HINT_PARAM, PLAN_USAGE_SCOPE } from './constants';
import { readBody } from './http';
import { consentPage, loginPage } from './pages';
import type { AuthState } from './state';

export function createInteractionRoute(s: AuthState) {
  const { consentKey, consents, hintSub, issueGrant, provider, registry, requestedScopes, statics, store, userByEmail, userBySub } = s;

  async function finishInteraction(ctx: KoaContextWithOIDC, result: Record<string, unknown>, merge = true) {
    const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge });
    ctx.redirect(to);
    ctx.status = 303;
  }

  async function handleInteraction(ctx: KoaContextWithOIDC, uid: string, action: string | undefined) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid !== uid) throw new errors.InvalidRequest('interaction mismatch');
    const params = details.params;
    const clientId = String(params.client_id);
    const reg = registry.get(clientId);
    const isStatic = statics.has(clientId);
    const form = ctx.method === 'POST' ? new URLSearchParams((await readBody(ctx.req)).toString()) : undefined;

    if (details.prompt.name === 'login') {
      const hinted = userBySub(hintSub(params[HINT_PARAM]))?.email ?? (params.login_hint as string | undefined);
      if (action === 'login' && form) {
        const user = userByEmail(form.get('email') ?? '');
        if (user && form.get('password') === user.password) {
          const previous = details.session;
          if (previous?.accountId && previous.accountId !== user.sub) {
            // oidc-provider answers an account switch inside one browser session with an
            // RP-initiated-logout form that needs JavaScript and the end_session endpoint. SIWC
            // just switches accounts, so forget the old session before finishing the login.
            const stored = store.get('Interaction', uid);
            if (stored) delete stored.session;
            if (previous.cookie) store.delete('Session', previous.cookie);
          }
          await finishInteraction(ctx, { login: { accountId: user.sub } }, false);
          return;
        }
        ctx.status = 401;
        ctx.type = 'html';
        ctx.body = loginPage({ uid, email: form.get('email') ?? hinted, error: 'Wrong email or password.' });
        return;
      }
      ctx.type = 'html';
      ctx.body = loginPage({ uid, email: hinted });
      return;
    }

    if (details.prompt.name !== 'consent' || !details.session) throw new errors.InvalidRequest('unexpected interaction');
    const accountId = details.session.accountId;
    const requested = requestedScopes(params);
    const key = consentKey(clientId, accountId);
    const previous = consents.get(key);

    if (action === 'confirm' && form) {
      if (form.get('decision') !== 'approve') {
        await finishInteraction(ctx, { error: 'access_denied', error_description: 'The user declined the request.' }, false);
        return;
      }
      const granted = new Set(requested);
      if (!form.has('plan_usage')) granted.delete(PLAN_USAGE_SCOPE);
      const consent = previous ?? { granted: new Set<string>(), rejected: new Set<string>() };
      for (const s of requested) {
        if (granted.has(s)) {
          consent.granted.add(s);
          consent.rejected.delete(s);
        } else {
          consent.rejected.add(s);
          consent.granted.delete(s);
        }
      }
      consents.set(key, consent);
      const agentName = form.get('agent_name');
      if (reg && !reg.confirmed && agentName) reg.agentName = agentName;
      const grantId = await issueGrant(accountId, clientId, requested, granted);
      await finishInteraction(ctx, { consent: { grantId } });
      return;
    }

    const forced = params[ASKED_CONSENT_PARAM] === '1';
    const covered = previous && requested.every((s) => previous.granted.has(s) || previous.rejected.has(s));
    if (!forced && covered && (reg?.confirmed || isStatic)) {
      // Routine reauth: no consent screen; the earlier choice (e.g. declined plan usage) stands.
      const grantId = await issueGrant(accountId, clientId, requested, previous.granted);
      await finishInteraction(ctx, { consent: { grantId } });
      return;
    }
    ctx.type = 'html';
    ctx.body = consentPage({
      uid,
      email: userBySub(accountId)?.email ?? accountId,
      firstRegistration: !isStatic && !reg?.confirmed,
      agentName: isStatic ? clientId : (reg?.agentName ?? String(params.agent_name_hint ?? 'Unnamed app')),
      scopes: requested,
      offerPlanUsage: requested.includes(PLAN_USAGE_SCOPE),
    });
  }

  return { finishInteraction, handleInteraction };
}
