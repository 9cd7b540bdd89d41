/**
 * How a session looks at a glance, decided once here for the account pill,
 * the account switcher and the tray icon: a session that will renew itself in
 * time is 'fine' however close its token is to expiry; it is 'expiring' only
 * when it won't (no refresh token, or renewing keeps failing) and fewer than
 * `expiryWarningMinutes` remain.
 */
import type { AccountGlance, AccountStatus } from '../../contract';
import type { Clock } from '../kernel/deps';

export interface GlanceInput {
  status: AccountStatus;
  /** When the access token expires; null for an API key (it doesn't). */
  expiresAt: number | null;
  /** When the session will renew itself; null when it won't. */
  renewsAt: number | null;
}

export function accountGlance(account: GlanceInput | undefined, now: number, warningMs: number): AccountGlance {
  if (!account || account.status === 'signed_out') return 'signed_out';
  if (account.status === 'needs_sign_in') return 'needs_sign_in';
  if (account.expiresAt === null) return 'fine';
  const renewsInTime = account.renewsAt !== null && account.renewsAt < account.expiresAt;
  if (renewsInTime) return 'fine';
  return account.expiresAt - now < warningMs ? 'expiring' : 'fine';
}

/** The next time any of these accounts' glance changes by the clock alone (null when none will). */
export function nextGlanceChange(accounts: readonly GlanceInput[], now: number, warningMs: number): number | null {
  let next: number | null = null;
  for (const account of accounts) {
    if (account.status !== 'signed_in' || account.expiresAt === null) continue;
    for (const at of [account.expiresAt - warningMs, account.expiresAt]) {
      if (at > now && (next === null || at < next)) next = at;
    }
  }
  return next;
}

/**
 * Republishes state when a glance changes with time alone (a token nearing
 * expiry with nothing to renew it), so the published glance is never stale.
 */
export class GlanceWatch {
  #timer: { cancel(): void } | undefined;
  #at: number | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly republish: () => void,
  ) {}

  update(accounts: readonly GlanceInput[], warningMs: number): void {
    const at = nextGlanceChange(accounts, this.clock.now(), warningMs);
    if (at === this.#at) return;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#at = at;
    if (at === null) return;
    this.#timer = this.clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#at = null;
        this.republish();
      },
      at - this.clock.now() + 1,
    );
  }

  dispose(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }
}
