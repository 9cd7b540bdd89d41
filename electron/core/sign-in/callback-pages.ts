/**
 * The pages the loopback listener serves to the browser (RFC 8252 §7.3). They
 * tell the person what Loupe decided, after the `iss` check, the code
 * exchange and the ID-token verification, never before: a browser that says
 * "Signed in" while Loupe refused is worse than no page at all.
 *
 * Every page is built once at module load from the fixed texts below, so no
 * request value (code, state, error_description, a server's words) can reach
 * one, and the CSP hashes are computed from the exact bytes that are served.
 */
import { createHash } from 'node:crypto';

/** What the browser is told; each maps to one fixed page. */
export type CallbackOutcome =
  'signed_in' | 'declined' | 'not_verified' | 'different_account' | 'unreachable' | 'cancelled' | 'timed_out' | 'still_working' | 'failed';

const TEXT: Record<CallbackOutcome, { title: string; body: string }> = {
  signed_in: { title: 'Signed in', body: 'Loupe is signed in. You can close this tab.' },
  declined: { title: 'Sign-in declined', body: 'Sign-in was declined in the browser, so nothing was changed.' },
  not_verified: {
    title: 'Sign-in refused',
    body: 'Loupe could not verify this sign-in, so it refused it and nothing was saved. Please try again from Loupe.',
  },
  different_account: {
    title: 'Different account',
    body: 'You signed in as a different account than the one Loupe expected, so nothing was changed.',
  },
  unreachable: {
    title: 'Sign-in not completed',
    body: 'Loupe could not reach the sign-in server to finish signing in. Please try again from Loupe.',
  },
  cancelled: { title: 'Sign-in cancelled', body: 'This sign-in was cancelled in Loupe.' },
  timed_out: { title: 'Sign-in not completed', body: 'This sign-in attempt had already ended. Start it again from Loupe.' },
  still_working: { title: 'Almost there', body: 'Loupe is still finishing the sign-in. Return to Loupe to see the result.' },
  failed: { title: 'Sign-in not completed', body: 'The sign-in could not be completed. Return to Loupe for details.' },
};

/** Maps the flow's error code to the page; unknown codes get the generic failure, never their own words. */
const CODE_TO_OUTCOME: Record<string, CallbackOutcome> = {
  access_denied: 'declined',
  cancelled: 'cancelled',
  timeout: 'timed_out',
  account_mismatch: 'different_account',
  client_mismatch: 'not_verified',
  invalid_callback: 'not_verified',
  invalid_id_token: 'not_verified',
  invalid_token_response: 'not_verified',
  registration_incomplete: 'not_verified',
  issuer_mismatch: 'not_verified',
  identity_verification_unavailable: 'unreachable',
  network_error: 'unreachable',
  discovery_failed: 'unreachable',
};

export function outcomeForError(code: string | undefined): CallbackOutcome {
  return (code !== undefined && Object.hasOwn(CODE_TO_OUTCOME, code) ? CODE_TO_OUTCOME[code] : undefined) ?? 'failed';
}

const SCRIPT = "history.replaceState(null, '', location.pathname)";
const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:32em;margin:4em auto;padding:0 1em;color:#222;background:#fff}' +
  'header{font-weight:600;letter-spacing:.02em;color:#555;margin-bottom:1.5em}' +
  'h1{font-size:1.4em;margin:0 0 .5em}.ok h1{color:#1a7f37}.no h1{color:#b42318}' +
  '@media (prefers-color-scheme:dark){body{color:#eee;background:#1e1e1e}header{color:#aaa}.ok h1{color:#4ac26b}.no h1{color:#ff8a80}}';
const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export const PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function page(title: string, body: string, tone: 'ok' | 'no' | 'plain', returnLine = 'Return to Loupe.'): Buffer {
  return Buffer.from(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} · Loupe</title>` +
      `<style>${STYLE}</style></head><body class="${tone}"><header>Loupe</header><main><h1>${title}</h1><p>${body}</p>` +
      `<p>${returnLine}</p></main><script>${SCRIPT}</script></body></html>`,
    'utf8',
  );
}

const OUTCOME_PAGES = Object.fromEntries(
  Object.entries(TEXT).map(([outcome, { title, body }]) => [
    outcome,
    page(title, body, outcome === 'signed_in' ? 'ok' : outcome === 'still_working' ? 'plain' : 'no'),
  ]),
) as Record<CallbackOutcome, Buffer>;

export function outcomePage(outcome: CallbackOutcome): Buffer {
  return OUTCOME_PAGES[outcome];
}

export const PAGE_BAD_REQUEST = page(
  'Not part of this sign-in',
  'This request is not part of the sign-in Loupe is waiting for, so it was ignored.',
  'no',
);
export const PAGE_NOT_FOUND = page('Nothing here', 'There is nothing at this address.', 'plain');
