import type { AccountStatus } from '../../electron/contract';
import { formatLeft } from '../state/time';

export type Tone = 'fine' | 'expiring' | 'attention' | 'off';

/** How an account's session looks at a glance: colour and a short text for the pill and the menu. */
export function sessionGlance(account: { status: AccountStatus; expiresAt: number | null } | undefined, now: number, warningMs: number): { tone: Tone; text: string } {
  if (!account) return { tone: 'off', text: 'Not signed in' };
  if (account.status === 'needs_sign_in') return { tone: 'attention', text: 'Sign in again' };
  if (account.status === 'signed_out') return { tone: 'off', text: 'Signed out' };
  if (account.expiresAt === null) return { tone: 'fine', text: 'Ready' };
  const left = account.expiresAt - now;
  if (left <= 0) return { tone: 'attention', text: 'Token expired' };
  return { tone: left < warningMs ? 'expiring' : 'fine', text: `${formatLeft(left)} left` };
}
