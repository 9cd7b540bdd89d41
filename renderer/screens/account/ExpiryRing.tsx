import type { AccountGlance } from '../../../electron/contract';
import { formatClock, formatCountdown } from '../../state/time';
import styles from './ExpiryRing.module.css';

/**
 * A ring that empties as the access token nears expiry. When the session renews
 * itself it says when, so "59:58 left" does not read like a coming logout.
 */
export function ExpiryRing({
  issuedAt,
  expiresAt,
  renewsAt,
  now,
  glance,
}: {
  issuedAt: number;
  expiresAt: number;
  renewsAt: number | null;
  now: number;
  glance: AccountGlance;
}) {
  const lifetime = Math.max(1, expiresAt - issuedAt);
  const remaining = expiresAt - now;
  const fraction = Math.min(1, Math.max(0, remaining / lifetime));
  const radius = 42;
  const circumference = 2 * Math.PI * radius;
  // The warning colour is the core's glance (the same as the pill's and the tray's).
  const tone = remaining <= 0 ? 'expired' : glance === 'expiring' ? 'warning' : 'ok';
  return (
    <div
      className={styles.ring}
      data-tone={tone}
      role="timer"
      aria-label={
        remaining > 0 ? `Token expires in ${formatCountdown(remaining)}${renewsAt ? `, renews at ${formatClock(renewsAt)}` : ''}` : 'Token expired'
      }
    >
      <svg viewBox="0 0 100 100" width="112" height="112" aria-hidden="true">
        <circle className={styles.track} cx="50" cy="50" r={radius} />
        <circle
          className={styles.value}
          cx="50"
          cy="50"
          r={radius}
          strokeDasharray={circumference}
          strokeDashoffset={circumference * (1 - fraction)}
          transform="rotate(-90 50 50)"
        />
      </svg>
      <div className={styles.label}>
        <strong data-testid="expiry-countdown">{remaining > 0 ? formatCountdown(remaining) : 'expired'}</strong>
        <span data-testid="renews-at">{remaining <= 0 ? '' : renewsAt ? `renews at ${formatClock(renewsAt)}` : 'left'}</span>
      </div>
    </div>
  );
}
