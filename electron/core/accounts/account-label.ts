/** How an account is named, and its sign-in status, as the window shows them. */
import type { AccountView } from '../../contract';
import type { Account } from './vault/vault-schema';

export function labelOf(account: Account): string {
  if (account.kind === 'chatgpt') return account.email ?? account.name ?? 'ChatGPT account';
  return account.label;
}

export function accountStatus(account: Account | undefined): AccountView['status'] {
  if (!account) return 'signed_out';
  if (account.kind === 'api_key') return account.problem ? 'needs_sign_in' : 'signed_in';
  if (account.tokens || account.pendingRefresh) return 'signed_in';
  return account.problem ? 'needs_sign_in' : 'signed_out';
}

/** An API base as shown: never with a user name or password (accounts saved before those were refused may hold one). */
export function withoutCredentials(raw: string | null): string | null {
  if (raw === null) return null;
  try {
    const url = new URL(raw);
    if (!url.username && !url.password) return raw;
    url.username = '';
    url.password = '';
    return url.href.replace(/\/$/, '');
  } catch {
    return null;
  }
}
