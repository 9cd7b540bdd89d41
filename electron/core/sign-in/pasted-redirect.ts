/** A redirect URL the person pasted (browser on another machine), checked like a real callback. */
import { LoupeError } from '../kernel/errors';
import type { QueryCheck } from './callback-query';
import { LOOPBACK_HOST } from './loopback-http';

export const PASTE_MESSAGES: Record<Exclude<QueryCheck, 'ok'>, string> = {
  missing_state: 'That address is missing its sign-in details. Copy the whole address from the browser, including everything after "?".',
  duplicate_state: 'That address does not look like a sign-in redirect: it carries the sign-in state more than once.',
  wrong_state: 'That address belongs to a different sign-in attempt. Paste the address from the sign-in you just started.',
  no_result: 'That address has no sign-in result. Finish signing in in the browser, then copy the address it ends on.',
};

/** Checks the parts of a pasted RFC 8252 §7.3 redirect that a real callback gets from the socket. */
export function parsePastedUrl(raw: string, port: number, path: string, redirectUri: string): URL {
  const expected = `It should start with ${redirectUri}`;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new LoupeError('invalid_redirect', `That is not a web address. Paste the whole address from the browser's address bar. ${expected}.`);
  }
  if (url.protocol !== 'http:') throw new LoupeError('invalid_redirect', `That is not a Loupe sign-in address. ${expected}.`);
  if (url.hostname !== LOOPBACK_HOST) {
    throw new LoupeError('invalid_redirect', `That address does not point at ${LOOPBACK_HOST}, where Loupe is waiting. ${expected}.`);
  }
  if (url.username || url.password) throw new LoupeError('invalid_redirect', `That is not a Loupe sign-in address. ${expected}.`);
  // Compare origins, not `url.port`, because the URL parser drops a default port 80.
  if (url.origin !== new URL(redirectUri).origin) {
    throw new LoupeError(
      'invalid_redirect',
      `That address is for a different sign-in (wrong port); this sign-in is waiting on port ${port}. ${expected}.`,
    );
  }
  if (url.pathname !== path) throw new LoupeError('invalid_redirect', `That address has the wrong path. ${expected}.`);
  return url;
}
