/**
 * How many requests may be out at once, and when the next may go.
 *
 * Concurrency is AIMD-style: it starts at 4, grows by one for every admitted
 * request while the server's `x-ratelimit-remaining-requests` says there is
 * room (or, without that header, doubles per round trip until the first 429,
 * then grows by 1/n per success), and halves on a 429 (once per burst of
 * 429s, not once per refused request).
 *
 * The request rate is paced from the same headers: the server's budget is
 * estimated as a token bucket (remaining now, refilling at the per-minute
 * limit), so a burst spends what is there and then requests go out as fast as
 * the budget refills instead of colliding with 429s. A 429 (or an exhausted
 * budget with only a reset time) pauses every request until the time the
 * server named.
 */

import type { RateInfo } from '../api/rate-headers';

export interface GovernorOptions {
  initial?: number;
  cap: number;
  now(): number;
}

/** Requests are paced a little under the stated rate: the server's clock and ours are not the same clock. */
const RATE_SAFETY = 0.95;
/** The server's 429 timing is coarse (whole seconds); a small jitter keeps parallel retries from landing together. */
const PAUSE_JITTER_MS = 50;

export type StartDecision = { ok: true } | { ok: false; waitMs: number };

export class Governor {
  #limit: number;
  #cap: number;
  #inFlight = 0;
  #pausedUntil = 0;
  #slowStart = true;
  #seq = 0;
  /** Sequence numbers sent and not yet answered with headers. */
  #awaitingHeaders = new Set<number>();
  /** Requests started at or before this sequence number were already out when the last cut happened. */
  #cutSeq = 0;
  #ratePerMs: number | undefined;
  #budget: { tokens: number; at: number } | undefined;
  #maxBurst = 0;

  constructor(private readonly options: GovernorOptions) {
    this.#cap = Math.max(1, options.cap);
    this.#limit = Math.min(this.#cap, options.initial ?? 4);
  }

  /** Current concurrency limit (whole requests). */
  get limit(): number {
    return Math.max(1, Math.floor(this.#limit));
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  setCap(cap: number): void {
    this.#cap = Math.max(1, cap);
    this.#limit = Math.min(this.#limit, this.#cap);
  }

  #tokens(now: number): number | undefined {
    if (!this.#budget || this.#ratePerMs === undefined) return undefined;
    const refilled = this.#budget.tokens + (now - this.#budget.at) * this.#ratePerMs * RATE_SAFETY;
    return this.#maxBurst > 0 ? Math.min(this.#maxBurst, refilled) : refilled;
  }

  canStart(): StartDecision {
    const now = this.options.now();
    if (now < this.#pausedUntil) return { ok: false, waitMs: this.#pausedUntil - now };
    if (this.#inFlight >= this.limit) return { ok: false, waitMs: Number.POSITIVE_INFINITY };
    const tokens = this.#tokens(now);
    if (tokens !== undefined && tokens < 1) return { ok: false, waitMs: Math.max(1, Math.ceil((1 - tokens) / (this.#ratePerMs! * RATE_SAFETY))) };
    return { ok: true };
  }

  /** A request is going out now; returns its ticket. */
  started(): number {
    const now = this.options.now();
    const tokens = this.#tokens(now);
    if (tokens !== undefined) this.#budget = { tokens: tokens - 1, at: now };
    this.#inFlight++;
    const seq = ++this.#seq;
    this.#awaitingHeaders.add(seq);
    return seq;
  }

  /** The server accepted the request (200 headers). */
  admitted(seq: number, rate: RateInfo): void {
    this.#awaitingHeaders.delete(seq);
    const now = this.options.now();
    this.#learn(seq, rate, now);
    let room = true;
    if (rate.remainingRequests !== undefined) room = this.#laterRequests(seq) < rate.remainingRequests;
    // Only grow when the window is in use: an idle allowance says nothing about what the server tolerates.
    if (!room || this.#inFlight < this.limit - 1) return;
    if (rate.remainingRequests !== undefined || this.#slowStart) this.#limit = Math.min(this.#cap, this.#limit + 1);
    else this.#limit = Math.min(this.#cap, this.#limit + 1 / this.#limit);
  }

  /** The server refused with 429 (rate, not quota). */
  rateLimited(seq: number, rate: RateInfo): void {
    this.#awaitingHeaders.delete(seq);
    const now = this.options.now();
    this.#learn(seq, rate, now, true);
    this.#slowStart = false;
    if (seq > this.#cutSeq) {
      this.#limit = Math.max(1, this.#limit / 2);
      this.#cutSeq = this.#seq;
    }
    const oneToken = this.#ratePerMs ? 1 / (this.#ratePerMs * RATE_SAFETY) : undefined;
    const wait = rate.retryAfterMs ?? oneToken ?? rate.resetRequestsMs ?? 1000;
    this.pause(now + wait + Math.random() * PAUSE_JITTER_MS);
  }

  /** The request is over, however it ended. */
  finished(seq: number): void {
    this.#awaitingHeaders.delete(seq);
    this.#inFlight = Math.max(0, this.#inFlight - 1);
  }

  pause(until: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, until);
  }

  #laterRequests(seq: number): number {
    let later = 0;
    for (const s of this.#awaitingHeaders) if (s > seq) later++;
    return later;
  }

  #learn(seq: number, rate: RateInfo, now: number, refused = false): void {
    if (rate.limitRequests) this.#ratePerMs = rate.limitRequests / 60_000;
    if (rate.remainingRequests === undefined) return;
    if (!refused) this.#maxBurst = Math.max(this.#maxBurst, rate.remainingRequests + 1);
    // What is left once the requests sent after this one (still unanswered) have taken theirs.
    this.#budget = { tokens: rate.remainingRequests - this.#laterRequests(seq), at: now };
    if (rate.remainingRequests === 0 && this.#ratePerMs === undefined && rate.resetRequestsMs !== undefined && !refused) {
      // No rate to pace by, only "empty until then".
      this.pause(now + rate.resetRequestsMs);
    }
  }
}
