import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type CallbackOutcome,
  PAGE_BAD_REQUEST,
  PAGE_CSP,
  PAGE_NOT_FOUND,
  outcomeForError,
  outcomePage,
} from '../../../../electron/core/sign-in/callback-pages';

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

describe('outcome pages', () => {
  const outcomes: CallbackOutcome[] = [
    'signed_in',
    'declined',
    'not_verified',
    'different_account',
    'unreachable',
    'cancelled',
    'timed_out',
    'still_working',
    'failed',
  ];
  it.each(outcomes)('%s: branded, "Return to Loupe", CSP-hashed script and style only', (outcome) => {
    const html = outcomePage(outcome).toString('utf8');
    expect(html).toContain('<header>Loupe</header>');
    expect(html).toContain('Return to Loupe.');
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(script).toBe("history.replaceState(null, '', location.pathname)");
    expect(html.match(/<script/g)).toHaveLength(1);
    // The one CSP every page is served with hashes exactly these texts.
    expect(PAGE_CSP).toContain(`script-src ${sha256(script)};`);
    expect(PAGE_CSP).toContain(`style-src ${sha256(style)};`);
    if (outcome !== 'signed_in') expect(html).not.toContain('Signed in');
  });

  it('maps error codes to pages; unknown or server-chosen codes get the generic failure', () => {
    expect(outcomeForError('access_denied')).toBe('declined');
    expect(outcomeForError('invalid_id_token')).toBe('not_verified');
    expect(outcomeForError('invalid_callback')).toBe('not_verified');
    expect(outcomeForError('account_mismatch')).toBe('different_account');
    expect(outcomeForError('identity_verification_unavailable')).toBe('unreachable');
    for (const code of ['<script>alert(1)</script>', 'toString', '__proto__', 'constructor', undefined]) expect(outcomeForError(code)).toBe('failed');
  });
});

describe('pages for requests that are not the callback', () => {
  it('say so without echoing anything, under the same CSP-hashed script and style', () => {
    for (const page of [PAGE_BAD_REQUEST, PAGE_NOT_FOUND]) {
      const html = page.toString('utf8');
      expect(html).toContain('<header>Loupe</header>');
      expect(PAGE_CSP).toContain(`script-src ${sha256(/<script>([\s\S]*?)<\/script>/.exec(html)![1]!)};`);
      expect(html).not.toContain('Signed in');
    }
    expect(PAGE_BAD_REQUEST.toString('utf8')).toContain('not part of the sign-in');
    expect(PAGE_CSP).toContain("default-src 'none'");
    expect(PAGE_CSP).toContain("frame-ancestors 'none'");
  });
});
