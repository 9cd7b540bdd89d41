import type { AccountGlance, AccountSummaryView } from '../../electron/contract';
import { formatLeft } from '../state/time';

export type Tone = 'fine' | 'expiring' | 'attention' | 'off';

/** The core decides the glance (accounts/glance.ts); this only names its colour. */
const TONE: Record<AccountGlance, Tone> = { fine: 'fine', expiring: 'expiring', needs_sign_in: 'attention', signed_out: 'off' };

/** How an account looks at a glance: the core's colour, and a short text (time left) for the pill and the menu. */
export function sessionGlance(
  account: Pick<AccountSummaryView, 'status' | 'expiresAt' | 'glance'> | undefined,
  now: number,
): { tone: Tone; text: string } {
  if (!account) return { tone: 'off', text: 'Not signed in' };
  const tone = TONE[account.glance];
  if (account.status === 'needs_sign_in') return { tone, text: 'Sign in again' };
  if (account.status === 'signed_out') return { tone, text: 'Signed out' };
  if (account.expiresAt === null) return { tone, text: 'Ready' };
  const left = account.expiresAt - now;
  if (left <= 0) return { tone, text: 'Token expired' };
  return { tone, text: `${formatLeft(left)} left` };
}
