import { describe, expect, it } from 'vitest';
import { callbackQueryCheck } from '../../../../electron/core/sign-in/callback-query';

describe('callbackQueryCheck', () => {
  const check = callbackQueryCheck('the-state-of-this-attempt');
  const q = (query: string) => check(new URLSearchParams(query));

  it('accepts exactly this attempt’s state with a code or an error', () => {
    expect(q('state=the-state-of-this-attempt&code=abc')).toBe('ok');
    expect(q('error=access_denied&state=the-state-of-this-attempt')).toBe('ok');
  });

  it('tells apart a missing, repeated or wrong state (RFC 6749 §10.12), and a callback with no result', () => {
    expect(q('code=abc')).toBe('missing_state');
    expect(q('state=the-state-of-this-attempt&state=the-state-of-this-attempt&code=abc')).toBe('duplicate_state');
    expect(q('state=another&code=abc')).toBe('wrong_state');
    expect(q('state=the-state-of-this-attempt-and-more&code=abc')).toBe('wrong_state');
    expect(q('state=&code=abc')).toBe('wrong_state');
    expect(q('state=the-state-of-this-attempt')).toBe('no_result');
  });

  it('is bound to one attempt', () => {
    expect(callbackQueryCheck('other')(new URLSearchParams('state=the-state-of-this-attempt&code=abc'))).toBe('wrong_state');
  });
});
