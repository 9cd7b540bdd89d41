import { describe, expect, it } from 'vitest';
import { grantOf } from '../../../../electron/core/oauth/revoke';

describe('grantOf', () => {
  it('reads only the tokens out of a token-endpoint body', () => {
    expect(grantOf({ access_token: 'a', refresh_token: 'r', id_token: 'i', scope: 'openid' })).toEqual({ refreshToken: 'r', accessToken: 'a' });
    expect(grantOf({ access_token: 'a' })).toEqual({ refreshToken: undefined, accessToken: 'a' });
  });

  it('an empty or non-string token, or a body that is no object, is no grant', () => {
    expect(grantOf({ access_token: '', refresh_token: 7 })).toEqual({ refreshToken: undefined, accessToken: undefined });
    for (const body of [undefined, null, 'refresh_token=r', 42]) expect(grantOf(body)).toEqual({});
  });
});
