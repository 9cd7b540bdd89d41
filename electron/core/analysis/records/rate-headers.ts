/**
 * Reading the API's pacing hints. API-key traffic carries `x-ratelimit-*`
 * with reset times in Go's duration syntax ("1s", "6m0s", "20ms"); a 429 may
 * carry `retry-after` (seconds or an HTTP date) and some proxies send
 * `retry-after-ms`. None of this is documented for ChatGPT-plan traffic
 * (protocol notes §10.4), so every field is optional and only ever a hint.
 */

export interface RateInfo {
  /** Requests per minute the credential may make. */
  limitRequests?: number;
  /** Requests left in the current window, after this one. */
  remainingRequests?: number;
  /** Time until the request budget is back to full. */
  resetRequestsMs?: number;
  /** How long the server asked us to wait (429/503). */
  retryAfterMs?: number;
  /** Tokens per minute, tokens left, time until full (`x-ratelimit-*-tokens`), for pacing on a token limit. */
  limitTokens?: number;
  remainingTokens?: number;
  resetTokensMs?: number;
}

type HeaderSource = { get(name: string): string | null } | undefined | null;

/** Waits longer than this are not believed: a bogus header must not park a job for hours. */
const MAX_HINT_MS = 10 * 60_000;

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 1e-3, µs: 1e-3, μs: 1e-3, ns: 1e-6 };

/** Go's `time.Duration.String()` form, e.g. "1h2m3.5s", "6m0s", "20ms". Undefined when it isn't one. */
export function parseGoDuration(text: string): number | undefined {
  const s = text.trim();
  if (!s) return undefined;
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|μs|ns)/y;
  let total = 0;
  let end = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    end = re.lastIndex;
  }
  return end === s.length ? total : undefined;
}

function clampHint(ms: number | undefined): number | undefined {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(ms, MAX_HINT_MS);
}

/** `retry-after-ms`, else `retry-after` as delay-seconds or an HTTP date (counted from `now`, the clock's time). */
export function parseRetryAfter(headers: HeaderSource, now: number): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return clampHint(Number(ms));
  const value = headers?.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return clampHint(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : clampHint(Math.max(0, at - now));
}

function nonNegativeNumber(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Every pacing hint in `headers`; `now` is the clock's time, for a `retry-after` given as a date. */
export function readRateInfo(headers: HeaderSource, now: number): RateInfo {
  const info: RateInfo = {};
  const limit = nonNegativeNumber(headers?.get('x-ratelimit-limit-requests'));
  if (limit !== undefined && limit > 0) info.limitRequests = limit;
  const remaining = nonNegativeNumber(headers?.get('x-ratelimit-remaining-requests'));
  if (remaining !== undefined) info.remainingRequests = remaining;
  const reset = headers?.get('x-ratelimit-reset-requests');
  if (reset) {
    // A bare number is read as seconds, the unit `retry-after` uses.
    const seconds = nonNegativeNumber(reset);
    const ms = clampHint(parseGoDuration(reset) ?? (seconds === undefined ? undefined : seconds * 1000));
    if (ms !== undefined) info.resetRequestsMs = ms;
  }
  const limitTokens = nonNegativeNumber(headers?.get('x-ratelimit-limit-tokens'));
  if (limitTokens !== undefined && limitTokens > 0) info.limitTokens = limitTokens;
  const remainingTokens = nonNegativeNumber(headers?.get('x-ratelimit-remaining-tokens'));
  if (remainingTokens !== undefined) info.remainingTokens = remainingTokens;
  const resetTokens = headers?.get('x-ratelimit-reset-tokens');
  const resetTokensMs = resetTokens ? clampHint(parseGoDuration(resetTokens) ?? (nonNegativeNumber(resetTokens) ?? NaN) * 1000) : undefined;
  if (resetTokensMs !== undefined) info.resetTokensMs = resetTokensMs;
  const retryAfter = parseRetryAfter(headers, now);
  if (retryAfter !== undefined) info.retryAfterMs = retryAfter;
  return info;
}
