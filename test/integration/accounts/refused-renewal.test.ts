/**
 * Issue #10 item 4 (refresh side): a refresh whose ID token fails verification
 * ends the session locally and revokes the rotated grant it carried, so no
 * working refresh token is left alive at the server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type StandIns, startStandIns } from '../../servers/stack';
import { type CoreFixture, createCoreFixture, signInThroughBrowser } from '../../support/core-fixture';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function signedIn(): Promise<{ stack: StandIns; fx: CoreFixture }> {
  const stack = await startStandIns();
  const fx = await createCoreFixture(stack);
  cleanups.push(
    () => stack.close(),
    () => fx.dispose(),
  );
  await signInThroughBrowser(fx);
  return { stack, fx };
}

describe('a renewed session that fails verification', () => {
  it.each([
    ['a signature by an unknown key', { key: 'rogue' as const }, (c: Record<string, unknown>) => c],
    ['another subject', {}, (c: Record<string, unknown>) => ({ ...c, sub: 'someone-else' })],
  ])('with %s: ends the session and revokes the grant it carried', async (_name, signing, change) => {
    const { stack, fx } = await signedIn();
    let rotated: { refresh: string; client: string } | undefined;
    stack.auth.faults.mutateTokenResponse(async (body, ctx) => {
      rotated = { refresh: body.refresh_token as string, client: ctx.clientId };
      return { ...body, id_token: await stack.auth.signIdToken(change(ctx.idTokenClaims!), signing) };
    });
    const result = await fx.run('auth.refreshNow');
    expect(['invalid_id_token', 'account_mismatch']).toContain(result.error?.code);
    expect(fx.core.getState().account.status).toBe('needs_sign_in');
    const revoke = stack.auth.requests.filter((r) => r.endpoint === 'revoke');
    expect(revoke).toHaveLength(1);
    expect(revoke[0]!.params.token).toBe(rotated!.refresh);
    const retry = await fetch(`${stack.auth.issuer}/api/accounts/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: rotated!.refresh,
        client_id: rotated!.client,
        resource: 'https://api.openai.com/v1',
      }),
    });
    expect(retry.ok).toBe(false);
  });

  it('a JWKS outage is not a refusal: nothing is revoked and the checkpoint is kept', async () => {
    const { stack, fx } = await signedIn();
    await fx.restart();
    stack.auth.faults.jwksStatus(503, 5);
    expect((await fx.run('auth.refreshNow')).error?.code).toBe('identity_verification_unavailable');
    expect(stack.auth.requests.filter((r) => r.endpoint === 'revoke')).toHaveLength(0);
    expect(fx.core.getState().account.status).toBe('signed_in');
  });
});
