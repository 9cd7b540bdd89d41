/** Consent choices and what follows a sign-in: plan usage, declined consent, the model list. */
import { describe, expect, it } from 'vitest';
import { SIWC_SCOPE } from '../../servers/auth/auth-server';
import { createCoreFixture, modelsOfflineFetch, signInThroughBrowser, waitForState } from '../../support/core-fixture';
import { stack, fx, apiRequestsBefore, useSignInFixture, tokenCalls } from './sign-in-support';

useSignInFixture();

describe('Continue with ChatGPT: consent and models', () => {
  it('without the plan scope: signed in, plan usage off, no model call; re-consent enables it', async () => {
    const { state } = await signInThroughBrowser(fx, { grantPlanUsage: false });
    expect(state.account).toMatchObject({ status: 'signed_in', planUsage: false, showPlanWelcome: false });
    expect(state.account.scopes).not.toContain('chatgpt.tokens.use.direct');
    expect((await fx.run('models.refresh')).error?.code).toBe('plan_usage_disabled');
    expect(stack.api.requests.length - apiRequestsBefore).toBe(0);

    const again = await signInThroughBrowser(fx, { grantPlanUsage: true }, { reconsent: true });
    expect(again.authorizeUrl.searchParams.get('prompt')).toBe('consent');
    expect(again.authorizeUrl.searchParams.get('scope')).toBe(SIWC_SCOPE);
    expect(again.state.account.planUsage).toBe(true);
    await waitForState(fx.core, (s) => s.models.status === 'ready');
  });

  it('declined consent: nothing exchanged, a clear message, still signed out', async () => {
    const { state, page } = await signInThroughBrowser(fx, { decision: 'deny' });
    expect(page.status).toBe(200);
    expect(state.signIn.error).toMatchObject({ code: 'access_denied' });
    expect(state.signIn.error?.message).toMatch(/declined/);
    expect(state.account.status).toBe('signed_out');
    expect(tokenCalls()).toBe(0);
  });

  it('shows a model-list failure inline and recovers on Retry', async () => {
    let failModels = true;
    const local = await createCoreFixture(stack, {
      deps: { fetch: modelsOfflineFetch(() => failModels) },
    });
    try {
      await signInThroughBrowser(local);
      const failed = await waitForState(local.core, (s) => s.models.status === 'error');
      expect(failed.models.error).toMatchObject({ code: 'network_error', retryable: true });
      failModels = false;
      expect((await local.run('models.refresh')).ok).toBe(true);
      const ready = local.core.getState().models;
      expect(ready.status).toBe('ready');
      expect(ready.selected).toBe(ready.items.find((m) => m.vision)?.slug);
      const other = ready.items.find((m) => m.slug !== ready.selected)!;
      expect((await local.run('models.select', { slug: other.slug })).ok).toBe(true);
      expect((await local.run('models.select', { slug: 'not-a-model' })).error?.code).toBe('unknown_model');
      await local.restart();
      await waitForState(local.core, (s) => s.models.status === 'ready');
      expect(local.core.getState().models.selected).toBe(other.slug);
    } finally {
      await local.dispose();
    }
  });
});
