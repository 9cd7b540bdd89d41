/**
 * A deterministic, simulated-time run of a governor against a server's
 * token buckets (requests, and optionally tokens), for the pacing tests:
 * no sockets, no sleeps, no timing assertions — only counts and simulated
 * times. The server behaves like the stand-in's limiter: a bucket of
 * `burst` requests refilling at `rpm`, 429 with integer-second
 * `retry-after`, `x-ratelimit-*` headers unless `headers: false`.
 */
import type { Pacer, RequestCost } from '../../electron/core/analysis/pacing/flow-governor';
import type { RateInfo } from '../../electron/core/analysis/records/rate-headers';

export interface SimServer {
  rpm: number;
  burst: number;
  headers?: boolean;
  tokensPerMinute?: number;
  tokenBurst?: number;
  latencyMs: number;
  /** Time for a request to reach the server (and a 429 to come back). */
  uploadMs?: number;
}

export interface SimResult {
  wallMs: number;
  accepted: number;
  refused: number;
  maxInFlight: number;
  /** Governor's in-flight limit when the run was half done. */
  midLimit: number;
  tokensCounted: number;
}

interface Event {
  at: number;
  run(): void;
}

export function simulate(
  make: (now: () => number) => Pacer,
  server: SimServer,
  photos: number,
  costOf: (i: number) => RequestCost = () => ({}),
): SimResult {
  let now = 0;
  const clock = () => now;
  const governor = make(clock);
  const upload = server.uploadMs ?? 5;
  const events: Event[] = [];
  const push = (e: Event) => {
    events.push(e);
    events.sort((a, b) => a.at - b.at);
  };
  const bucket = { level: server.burst, at: 0 };
  const tokenCap = server.tokenBurst ?? server.tokensPerMinute ?? 0;
  const tokens = { level: tokenCap, at: 0 };
  const refill = () => {
    bucket.level = Math.min(server.burst, bucket.level + ((now - bucket.at) * server.rpm) / 60_000);
    bucket.at = now;
    if (server.tokensPerMinute) {
      tokens.level = Math.min(tokenCap, tokens.level + ((now - tokens.at) * server.tokensPerMinute) / 60_000);
      tokens.at = now;
    }
  };
  const headers = (): RateInfo => {
    if (server.headers === false) return {};
    const info: RateInfo = { limitRequests: server.rpm, remainingRequests: Math.max(0, Math.floor(bucket.level)) };
    if (server.tokensPerMinute) Object.assign(info, { limitTokens: server.tokensPerMinute, remainingTokens: Math.max(0, Math.floor(tokens.level)) });
    return info;
  };

  const queue: Array<{ i: number; notBefore: number }> = Array.from({ length: photos }, (_, i) => ({ i, notBefore: 0 }));
  let accepted = 0;
  let refused = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let done = 0;
  let midLimit = 0;
  let tokensCounted = 0;
  let wake = Number.POSITIVE_INFINITY;

  const pump = (): void => {
    for (;;) {
      const index = queue.findIndex((q) => q.notBefore <= now);
      if (index < 0) {
        const next = Math.min(...queue.map((q) => q.notBefore));
        if (Number.isFinite(next)) schedule(next);
        return;
      }
      const cost = costOf(queue[index]!.i);
      const decision = governor.canStart(cost);
      if (!decision.ok) {
        if (Number.isFinite(decision.waitMs)) schedule(now + decision.waitMs);
        return;
      }
      const [item] = queue.splice(index, 1);
      const seq = governor.started(cost);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      push({
        at: now + upload,
        run: () => {
          refill();
          const tokenCost = cost.tokens ?? 0;
          const tokenOk = !server.tokensPerMinute || tokens.level >= Math.min(tokenCost, tokenCap);
          if (bucket.level >= 1 && tokenOk) {
            bucket.level -= 1;
            if (server.tokensPerMinute) tokens.level -= tokenCost;
            tokensCounted += tokenCost;
            accepted++;
            governor.admitted(seq, headers());
            push({
              at: now + server.latencyMs - upload,
              run: () => {
                inFlight--;
                done++;
                governor.finished(seq, { ok: true });
                if (done === Math.floor(photos / 2)) midLimit = governor.limit;
              },
            });
          } else {
            refused++;
            const reqWait = bucket.level >= 1 ? 0 : ((1 - bucket.level) * 60_000) / server.rpm;
            const tokWait = tokenOk ? 0 : ((Math.min(tokenCost, tokenCap) - tokens.level) * 60_000) / server.tokensPerMinute!;
            const wait = Math.max(reqWait, tokWait);
            governor.rateLimited(seq, { ...headers(), retryAfterMs: Math.max(1, Math.ceil(wait / 1000)) * 1000 });
            inFlight--;
            governor.finished(seq);
            queue.unshift({ i: item!.i, notBefore: governor.pausedUntil });
          }
        },
      });
    }
  };
  const schedule = (at: number): void => {
    if (at >= wake) return;
    wake = at;
    push({
      at,
      run: () => {
        if (wake === at) wake = Number.POSITIVE_INFINITY;
      },
    });
  };

  pump();
  let guard = 0;
  while (events.length && guard++ < 1_000_000) {
    const event = events.shift()!;
    now = Math.max(now, event.at);
    event.run();
    pump();
  }
  return { wallMs: now, accepted, refused, maxInFlight, midLimit, tokensCounted };
}
