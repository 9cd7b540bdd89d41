// Per-credential request limiter with the API's header conventions: `x-ratelimit-*` on every
// answer, `retry-after` on 429. Reset values use Go duration syntax ("20ms", "1.5s", "6m0s"),
// which is what the API emits.

export interface RateLimitConfig {
  requestsPerMinute: number;
  burst: number;
  /** Also send `retry-after-ms` (the SDKs read it first; not seen from api.openai.com, so off by default). */
  retryAfterMs?: boolean;
}

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
  /** When refused: milliseconds until one request is available. */
  waitMs: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private buckets = new Map<string, Bucket>();
  constructor(private readonly cfg: RateLimitConfig) {}

  private refill(key: string, now: number): Bucket {
    const perMs = this.cfg.requestsPerMinute / 60_000;
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.cfg.burst, at: now };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.cfg.burst, b.tokens + (now - b.at) * perMs);
      b.at = now;
    }
    return b;
  }

  /** Take one request from the credential's bucket. */
  take(key: string, now = Date.now()): RateDecision {
    const b = this.refill(key, now);
    const perMs = this.cfg.requestsPerMinute / 60_000;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true, waitMs: 0, headers: this.headers(b, perMs) };
    }
    const waitMs = Math.ceil((1 - b.tokens) / perMs);
    const headers = this.headers(b, perMs);
    // RFC 9110 delay-seconds is an integer, and that's the form the API uses.
    headers['retry-after'] = String(Math.max(1, Math.ceil(waitMs / 1000)));
    if (this.cfg.retryAfterMs) headers['retry-after-ms'] = String(waitMs);
    return { allowed: false, waitMs, headers };
  }

  /** Headers describing the bucket without consuming from it (for non-inference routes). */
  peek(key: string, now = Date.now()): Record<string, string> {
    return this.headers(this.refill(key, now), this.cfg.requestsPerMinute / 60_000);
  }

  private headers(b: Bucket, perMs: number): Record<string, string> {
    return {
      'x-ratelimit-limit-requests': String(this.cfg.requestsPerMinute),
      'x-ratelimit-remaining-requests': String(Math.max(0, Math.floor(b.tokens))),
      'x-ratelimit-reset-requests': goDuration((this.cfg.burst - b.tokens) / perMs),
    };
  }
}

/** Format milliseconds like Go's time.Duration.String(), at millisecond resolution. */
export function goDuration(ms: number): string {
  ms = Math.max(0, Math.round(ms));
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sMs = ms % 60_000;
  const secs = `${Math.floor(sMs / 1000)}${
    sMs % 1000
      ? `.${String(sMs % 1000)
          .padStart(3, '0')
          .replace(/0+$/, '')}`
      : ''
  }s`;
  if (h) return `${h}h${m}m${secs}`;
  if (m) return `${m}m${secs}`;
  return secs;
}
