/**
 * The request rate of a server that sends no `x-ratelimit-*` headers (as
 * ChatGPT-plan traffic may), learned from what it accepts and refuses.
 *
 * The server is modelled as a token bucket (capacity B, refill r). A 429
 * means the bucket was empty (less than one request) at that moment, so
 * between two 429s at t₁ and t₂ the requests it accepted number
 * r·(t₂ − t₁) ± 1: the rate is measured exactly from the accepted count over
 * the time between refusals, whatever Loupe's own sending looked like. Before
 * the first 429 the rate is probed like TCP's slow start (doubling per round
 * trip), and the first refusal halves it; after a refusal Loupe waits the
 * `retry-after` and then paces at the measured rate, never in a burst, so
 * one overshoot costs one 429, not a storm. While paced below what the
 * server allows, the rate creeps up slowly (5 % a second until measured, 1 %
 * after) so a server that allows more is found.
 *
 * Pure bookkeeping on times passed in; the governor owns the clock.
 */

export interface LearnerOptions {
  /** Requests per second before anything is known. */
  initialPerSecond?: number;
  /** Requests that may go at once at the start. */
  initialBurst?: number;
}

/** Paced a little under the measured rate: the count between two 429s is ± 1. */
const SAFETY = 0.97;
const PROBE_GROWTH_PER_S = 0.05;
const MEASURED_GROWTH_PER_S = 0.01;
/** Intervals between 429s that make the estimate. */
const KEEP_INTERVALS = 4;
/** After a measurement, the probe speeds up the longer no 429 comes: +1 %/s more every this many ms. */
const PROBE_ACCELERATION_MS = 20_000;

export class RateLearner {
  /** Pacing rate, requests per ms. */
  #rate: number;
  #capacity: number;
  #level: number;
  #levelAt: number;
  #startedAt: number | undefined;
  #acceptedTotal = 0;
  #refusals = 0;
  #lastRefusalAt: number | undefined;
  /** Accepted requests sent after the last refusal. */
  #acceptedSinceRefusal = 0;
  #intervals: Array<{ accepted: number; ms: number }> = [];
  #measured: number | undefined;
  #growthAt: number;

  constructor(now: number, options: LearnerOptions = {}) {
    this.#rate = (options.initialPerSecond ?? 4) / 1000;
    this.#capacity = options.initialBurst ?? 4;
    this.#level = this.#capacity;
    this.#levelAt = now;
    this.#growthAt = now;
  }

  /** Current pacing rate in requests per ms. */
  get rate(): number {
    return this.#rate;
  }

  /** The rate measured between 429s (requests per ms), once two have been seen. */
  get measuredRate(): number | undefined {
    return this.#measured;
  }

  get refusals(): number {
    return this.#refusals;
  }

  #refill(now: number): number {
    const level = Math.min(this.#capacity, this.#level + (now - this.#levelAt) * this.#rate);
    this.#level = level;
    this.#levelAt = now;
    return level;
  }

  /** Milliseconds until one more request may go (0: now). */
  waitMs(now: number): number {
    const level = this.#refill(now);
    return level >= 1 ? 0 : Math.ceil((1 - level) / this.#rate);
  }

  /** A request goes out now. */
  sent(now: number): void {
    this.#startedAt ??= now;
    this.#refill(now);
    this.#level -= 1;
  }

  /**
   * The server accepted a request sent at `sentAt`. `latencyMs` is the round
   * trip, used for slow start; `limited` says whether sending was waiting on
   * this pacing (only then does accepting say the rate could be higher).
   */
  accepted(sentAt: number, now: number, latencyMs: number, limited: boolean): void {
    this.#acceptedTotal++;
    if (this.#lastRefusalAt === undefined || sentAt > this.#lastRefusalAt) this.#acceptedSinceRefusal++;
    const dt = Math.max(0, now - this.#growthAt);
    this.#growthAt = now;
    if (!limited) return;
    this.#refill(now);
    if (this.#refusals === 0) {
      // Slow start: +1 request per round trip for each one answered, i.e. doubling per round trip.
      this.#rate += 1 / Math.max(100, latencyMs);
      this.#capacity = Math.max(this.#capacity, 1);
    } else {
      const quiet = now - (this.#lastRefusalAt ?? now);
      const growth =
        this.#measured === undefined ? PROBE_GROWTH_PER_S : Math.min(PROBE_GROWTH_PER_S, MEASURED_GROWTH_PER_S * (1 + quiet / PROBE_ACCELERATION_MS));
      this.#rate *= 1 + (growth * dt) / 1000;
    }
  }

  /** The server refused with 429 at `now`; `retryAfterMs` as it said. Returns how long to pause. */
  refused(now: number, retryAfterMs: number | undefined): number {
    this.#refusals++;
    if (this.#lastRefusalAt === undefined) {
      // The bucket ran dry: the rate is below what was being sent. Halve, like TCP.
      const since = this.#startedAt === undefined ? 0 : now - this.#startedAt;
      const sentRate = since > 0 ? (this.#acceptedTotal + 1) / since : this.#rate;
      this.#rate = Math.min(this.#rate, sentRate) / 2;
    } else {
      const ms = now - this.#lastRefusalAt;
      if (ms > 0) {
        this.#intervals.push({ accepted: this.#acceptedSinceRefusal, ms });
        if (this.#intervals.length > KEEP_INTERVALS) this.#intervals.shift();
        const accepted = this.#intervals.reduce((n, i) => n + i.accepted, 0);
        const total = this.#intervals.reduce((n, i) => n + i.ms, 0);
        if (accepted > 0) {
          // r·Δ = accepted ± 1 (the bucket's fraction at either end): lean to the low side, the probe finds the rest.
          this.#measured = Math.max(accepted - 0.5 * this.#intervals.length, accepted / 2) / total;
          // Exact (± 1 request) unless the server's bucket sat full meanwhile, when Loupe sent slower
          // than allowed: then it under-counts, and the slow probe below finds the rest.
          this.#rate = this.#measured * SAFETY;
        } else {
          this.#rate /= 2;
        }
      }
    }
    this.#lastRefusalAt = now;
    this.#acceptedSinceRefusal = 0;
    this.#growthAt = now;
    // Empty now; whatever the pause refills may be spent after it, no more.
    this.#level = 0;
    this.#levelAt = now;
    // From now on one at a time at the learned pace: a burst after a 429 is what makes a storm.
    this.#capacity = 1;
    return retryAfterMs ?? Math.ceil(1 / this.#rate);
  }
}
