// Tokens-per-minute limiting as the API does it: each request counts its input tokens plus the
// tokens it will answer with against a per-credential bucket, reported in
// `x-ratelimit-{limit,remaining,reset}-tokens`; a request that doesn't fit gets a 429 naming
// "tokens per min (TPM)" with `retry-after`.

import { apiError, type ApiError } from './errors.ts';
import { goDuration } from './ratelimit.ts';

export interface TokenLimitConfig {
  tokensPerMinute: number;
  /** Bucket size (default: one minute's worth, like the API). */
  burst?: number | undefined;
}

export interface TokenDecision {
  allowed: boolean;
  headers: Record<string, string>;
  waitMs: number;
}

export class TokenLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly cfg: TokenLimitConfig) {}

  private get capacity(): number {
    return this.cfg.burst ?? this.cfg.tokensPerMinute;
  }

  private refill(key: string, now: number): { tokens: number; at: number } {
    const perMs = this.cfg.tokensPerMinute / 60_000;
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.capacity, at: now };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.capacity, b.tokens + (now - b.at) * perMs);
      b.at = now;
    }
    return b;
  }

  take(key: string, cost: number, now = Date.now()): TokenDecision {
    const b = this.refill(key, now);
    const perMs = this.cfg.tokensPerMinute / 60_000;
    // A request larger than the whole bucket goes when the bucket is full (else it could never go).
    const need = Math.min(cost, this.capacity);
    if (b.tokens >= need) {
      b.tokens -= cost;
      return { allowed: true, waitMs: 0, headers: this.headers(b.tokens, perMs) };
    }
    const waitMs = Math.ceil((need - b.tokens) / perMs);
    const headers = this.headers(b.tokens, perMs);
    headers['retry-after'] = String(Math.max(1, Math.ceil(waitMs / 1000)));
    return { allowed: false, waitMs, headers };
  }

  peek(key: string, now = Date.now()): Record<string, string> {
    return this.headers(this.refill(key, now).tokens, this.cfg.tokensPerMinute / 60_000);
  }

  private headers(tokens: number, perMs: number): Record<string, string> {
    return {
      'x-ratelimit-limit-tokens': String(this.cfg.tokensPerMinute),
      'x-ratelimit-remaining-tokens': String(Math.max(0, Math.floor(tokens))),
      'x-ratelimit-reset-tokens': goDuration((this.capacity - tokens) / perMs),
    };
  }
}

export const tokensRateLimited = (model: string, limit: number, requested: number, waitText: string): ApiError =>
  apiError(
    429,
    `Rate limit reached for ${model} in organization org-standin on tokens per min (TPM): Limit ${limit}, Used ${limit}, Requested ${requested}. Please try again in ${waitText}. Visit https://platform.openai.com/account/rate-limits to learn more.`,
    { type: 'tokens', code: 'rate_limit_exceeded' },
  );

/** Drops `x-ratelimit-*` (a server that sends no rate headers); `retry-after` stays. */
export function withoutRateHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !k.startsWith('x-ratelimit-')));
}
