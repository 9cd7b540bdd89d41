/**
 * How many requests may be out at once, and when the next may go — for every
 * rate, not one that a fixed cap happens to fit.
 *
 * - Pacing. The server's budgets are modelled as token buckets: requests
 *   (`x-ratelimit-*-requests`) and tokens (`x-ratelimit-*-tokens`, each
 *   request reserving its estimated tokens, see token-estimate.ts). Each
 *   answer's headers re-synchronise the buckets (remaining, less what the
 *   requests sent after it and not yet answered will take); between answers
 *   they refill at the stated per-minute rate. A request goes when both have
 *   room. Without any rate headers, the request rate is learned from 429s
 *   (rate-learner.ts).
 * - Concurrency from Little's law (little-law.ts): allowed rate × observed
 *   latency, with head-room, bounded by the memory budget for prepared photos
 *   and the person's optional cap.
 * - A 429 pauses every request until the time the server named (plus a
 *   little jitter so parallel retries don't land together).
 */
import { inFlightTarget, memoryBound, prefetchTarget } from './little-law';
import type { RateInfo } from '../records/rate-headers';
import { RateLearner } from './rate-learner';

export interface RequestCost {
  /** Estimated tokens the request counts against a token limit. */
  tokens?: number;
  /** Bytes of the prepared photo it carries. */
  bytes?: number;
}

export type StartDecision = { ok: true } | { ok: false; waitMs: number };

/** What the scheduler needs of a governor. */
export interface Pacer {
  readonly limit: number;
  readonly pausedUntil: number;
  canStart(cost?: RequestCost): StartDecision;
  started(cost?: RequestCost): number;
  admitted(seq: number, rate: RateInfo): void;
  rateLimited(seq: number, rate: RateInfo): void;
  finished(seq: number, outcome?: { ok: boolean }): void;
  /** Photos worth preparing ahead of sending, given how long one takes to prepare. */
  prefetch(prepareMs: number, parallel: number, ceiling: number): number;
}

export interface FlowGovernorOptions {
  now(): number;
  /** Optional ceiling on requests in flight (Settings). */
  cap?: number | undefined;
  /** In flight before anything is known about the server. */
  initial?: number;
  /** Memory for photos in flight (prepared JPEG, base64, body). Default 160 MB. */
  memoryBudgetBytes?: number;
  /** Round trip assumed before the first answer. */
  initialLatencyMs?: number;
}

/** Between answers the buckets refill a little slower than stated: the server's clock is not ours. */
const RATE_SAFETY = 0.98;
const PAUSE_JITTER_MS = 50;
const ALPHA = 0.2;
/** With rate headers but no stated limit, the in-flight target Loupe always had. */
const UNKNOWN_LIMIT_TARGET = 16;
export const DEFAULT_MEMORY_BUDGET = 160 * 1024 * 1024;

interface Bucket {
  ratePerMs: number | undefined;
  level: number;
  at: number;
  known: boolean;
  capacity: number;
}

interface Out {
  at: number;
  tokens: number;
  answered: boolean;
}

export class FlowGovernor implements Pacer {
  #cap: number | undefined;
  #inFlight = 0;
  #pausedUntil = 0;
  #seq = 0;
  #out = new Map<number, Out>();
  #requests: Bucket;
  #tokens: Bucket;
  /** Seen `x-ratelimit-*-requests` from this server: pace by them, not by learning. */
  #requestHeaders = false;
  #learner: RateLearner;
  #latencyMs: number | undefined;
  #photoBytes = 0;
  #tokensPerRequest = 0;
  /** Whether any answer (or refusal) has come back: until then one request finds out whether the server sends rate headers. */
  #heard = false;
  /** Last time a start was refused for pacing (a request was ready and waited). */
  #limitedAt = Number.NEGATIVE_INFINITY;
  readonly #initial: number;
  readonly #memoryBudget: number;
  readonly #initialLatency: number;

  constructor(private readonly options: FlowGovernorOptions) {
    const now = options.now();
    this.#cap = options.cap;
    this.#initial = options.initial ?? 4;
    this.#memoryBudget = options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET;
    this.#initialLatency = options.initialLatencyMs ?? 2000;
    this.#requests = { ratePerMs: undefined, level: 0, at: now, known: false, capacity: 0 };
    this.#tokens = { ratePerMs: undefined, level: 0, at: now, known: false, capacity: 0 };
    // Without headers nothing is known: one at a time from the start, at a pace doubling per round trip.
    this.#learner = new RateLearner(now, { initialBurst: 1 });
  }

  setCap(cap: number | undefined): void {
    this.#cap = cap === undefined || !(cap > 0) ? undefined : cap;
  }

  /** The person's ceiling, if any (undefined: automatic). */
  get cap(): number | undefined {
    return this.#cap;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  get latencyMs(): number {
    return this.#latencyMs ?? this.#initialLatency;
  }

  /** The rate requests may go at (per ms), the lower of the request and token limits; undefined while unknown. */
  get allowedRatePerMs(): number | undefined {
    const byRequests = this.#requestHeaders ? this.#requests.ratePerMs : this.#learner.rate;
    const byTokens = this.#tokens.ratePerMs !== undefined && this.#tokensPerRequest > 0 ? this.#tokens.ratePerMs / this.#tokensPerRequest : undefined;
    if (byRequests === undefined) return byTokens;
    return byTokens === undefined ? byRequests : Math.min(byRequests, byTokens);
  }

  /** Requests in flight allowed now (Little's law, bounded by memory and the cap). */
  get limit(): number {
    const rate = this.allowedRatePerMs;
    const unknownLimit = this.#requestHeaders && this.#requests.ratePerMs === undefined && rate === undefined;
    return inFlightTarget({
      ratePerMs: unknownLimit ? undefined : rate,
      latencyMs: this.latencyMs,
      photoBytes: this.#photoBytes,
      memoryBudgetBytes: this.#memoryBudget,
      cap: this.#cap,
      fallback: unknownLimit ? UNKNOWN_LIMIT_TARGET : this.#initial,
    });
  }

  /** Learned request rate without headers (requests per ms), for tests and the bench. */
  get learnedRatePerMs(): number | undefined {
    return this.#requestHeaders ? undefined : this.#learner.measuredRate;
  }

  prefetch(prepareMs: number, parallel: number, ceiling: number): number {
    return prefetchTarget(this.allowedRatePerMs, prepareMs, parallel, Math.min(ceiling, memoryBound(this.#photoBytes, this.#memoryBudget)));
  }

  #level(bucket: Bucket, now: number): number | undefined {
    if (!bucket.known || bucket.ratePerMs === undefined) return undefined;
    const refilled = bucket.level + (now - bucket.at) * bucket.ratePerMs * RATE_SAFETY;
    return bucket.capacity > 0 ? Math.min(bucket.capacity, refilled) : refilled;
  }

  canStart(cost: RequestCost = {}): StartDecision {
    const now = this.options.now();
    if (now < this.#pausedUntil) return { ok: false, waitMs: this.#pausedUntil - now };
    if (this.#inFlight >= (this.#heard ? this.limit : 1)) return { ok: false, waitMs: Number.POSITIVE_INFINITY };
    let wait = 0;
    if (this.#requestHeaders) {
      const level = this.#level(this.#requests, now);
      if (level !== undefined && level < 1) wait = Math.max(wait, Math.ceil((1 - level) / (this.#requests.ratePerMs! * RATE_SAFETY)));
    } else {
      wait = Math.max(wait, this.#learner.waitMs(now));
    }
    const tokens = this.#level(this.#tokens, now);
    if (tokens !== undefined) {
      const need = Math.min(cost.tokens ?? this.#tokensPerRequest, this.#tokens.capacity > 0 ? this.#tokens.capacity : Number.POSITIVE_INFINITY);
      if (tokens < need) wait = Math.max(wait, Math.ceil((need - tokens) / (this.#tokens.ratePerMs! * RATE_SAFETY)));
    }
    if (wait > 0) {
      this.#limitedAt = now;
      return { ok: false, waitMs: Math.max(1, wait) };
    }
    return { ok: true };
  }

  started(cost: RequestCost = {}): number {
    const now = this.options.now();
    const tokens = cost.tokens ?? this.#tokensPerRequest;
    if (cost.bytes) this.#photoBytes = this.#photoBytes ? this.#photoBytes + ALPHA * (cost.bytes - this.#photoBytes) : cost.bytes;
    if (cost.tokens)
      this.#tokensPerRequest = this.#tokensPerRequest ? this.#tokensPerRequest + ALPHA * (cost.tokens - this.#tokensPerRequest) : cost.tokens;
    const requests = this.#level(this.#requests, now);
    if (requests !== undefined) Object.assign(this.#requests, { level: requests - 1, at: now });
    const tokenLevel = this.#level(this.#tokens, now);
    if (tokenLevel !== undefined) Object.assign(this.#tokens, { level: tokenLevel - tokens, at: now });
    if (!this.#requestHeaders) this.#learner.sent(now);
    this.#inFlight++;
    const seq = ++this.#seq;
    this.#out.set(seq, { at: now, tokens, answered: false });
    return seq;
  }

  admitted(seq: number, rate: RateInfo): void {
    const now = this.options.now();
    const out = this.#out.get(seq);
    if (out) out.answered = true;
    this.#heard = true;
    this.#learn(seq, rate, now, false);
    if (!this.#requestHeaders && out) {
      const limited = now - this.#limitedAt < 2 * this.latencyMs;
      this.#learner.accepted(out.at, now, this.latencyMs, limited);
    }
  }

  rateLimited(seq: number, rate: RateInfo): void {
    const now = this.options.now();
    const out = this.#out.get(seq);
    if (out) out.answered = true;
    this.#heard = true;
    this.#learn(seq, rate, now, true);
    let wait: number;
    if (this.#requestHeaders) {
      const oneRequest = this.#requests.ratePerMs ? 1 / (this.#requests.ratePerMs * RATE_SAFETY) : undefined;
      wait = rate.retryAfterMs ?? oneRequest ?? rate.resetRequestsMs ?? 1000;
      if (this.#requests.known) Object.assign(this.#requests, { level: Math.min(this.#requests.level, 0), at: now });
    } else {
      wait = this.#learner.refused(now, rate.retryAfterMs);
    }
    this.pause(now + wait + Math.random() * PAUSE_JITTER_MS);
  }

  finished(seq: number, outcome?: { ok: boolean }): void {
    const out = this.#out.get(seq);
    this.#out.delete(seq);
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    if (out && outcome?.ok) {
      const took = this.options.now() - out.at;
      this.#latencyMs = this.#latencyMs === undefined ? took : this.#latencyMs + ALPHA * (took - this.#latencyMs);
    }
  }

  pause(until: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, until);
  }

  /** Requests and tokens taken by requests sent after `seq` that the server hasn't answered yet. */
  #later(seq: number): { requests: number; tokens: number } {
    let requests = 0;
    let tokens = 0;
    for (const [s, out] of this.#out) {
      if (s > seq && !out.answered) {
        requests++;
        tokens += out.tokens;
      }
    }
    return { requests, tokens };
  }

  #learn(seq: number, rate: RateInfo, now: number, refused: boolean): void {
    const later = this.#later(seq);
    if (rate.limitRequests !== undefined || rate.remainingRequests !== undefined) this.#requestHeaders = true;
    if (rate.limitRequests) this.#requests.ratePerMs = rate.limitRequests / 60_000;
    if (rate.remainingRequests !== undefined) {
      if (!refused) this.#requests.capacity = Math.max(this.#requests.capacity, rate.remainingRequests + 1);
      // `remaining` is a whole number; the time until full says how much of the next request has refilled.
      let level = rate.remainingRequests;
      if (rate.resetRequestsMs !== undefined && this.#requests.ratePerMs && this.#requests.capacity > 0) {
        const exact = this.#requests.capacity - rate.resetRequestsMs * this.#requests.ratePerMs;
        if (exact > level && exact < level + 1) level = exact;
      }
      Object.assign(this.#requests, { level: level - later.requests, at: now, known: true });
      if (rate.remainingRequests === 0 && this.#requests.ratePerMs === undefined && rate.resetRequestsMs !== undefined && !refused)
        this.pause(now + rate.resetRequestsMs);
    }
    if (rate.limitTokens) this.#tokens.ratePerMs = rate.limitTokens / 60_000;
    if (rate.remainingTokens !== undefined) {
      const own = this.#out.get(seq)?.tokens ?? 0;
      if (!refused) this.#tokens.capacity = Math.max(this.#tokens.capacity, rate.remainingTokens + own);
      Object.assign(this.#tokens, { level: rate.remainingTokens - later.tokens, at: now, known: true });
    }
  }
}
