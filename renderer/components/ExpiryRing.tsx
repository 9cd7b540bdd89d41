import { formatCountdown } from '../hooks';

/** A ring that empties as the access token approaches expiry. */
export function ExpiryRing({ issuedAt, expiresAt, now, warningMs }: { issuedAt: number; expiresAt: number; now: number; warningMs: number }) {
  const lifetime = Math.max(1, expiresAt - issuedAt);
  const remaining = expiresAt - now;
  const fraction = Math.min(1, Math.max(0, remaining / lifetime));
  const radius = 42;
  const circumference = 2 * Math.PI * radius;
  const tone = remaining <= 0 ? 'expired' : remaining < warningMs ? 'warning' : 'ok';
  return (
    <div className={`ring ring-${tone}`} role="timer" aria-label={remaining > 0 ? `Token expires in ${formatCountdown(remaining)}` : 'Token expired'}>
      <svg viewBox="0 0 100 100" width="112" height="112" aria-hidden="true">
        <circle className="ring-track" cx="50" cy="50" r={radius} />
        <circle
          className="ring-value"
          cx="50"
          cy="50"
          r={radius}
          strokeDasharray={circumference}
          strokeDashoffset={circumference * (1 - fraction)}
          transform="rotate(-90 50 50)"
        />
      </svg>
      <div className="ring-label">
        <strong data-testid="expiry-countdown">{remaining > 0 ? formatCountdown(remaining) : 'expired'}</strong>
        <span>{remaining > 0 ? 'left' : ''}</span>
      </div>
    </div>
  );
}
