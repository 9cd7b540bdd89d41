/**
 * One signal that aborts when any of its sources does, like AbortSignal.any,
 * but a plain one. On Node 20 a signal from AbortSignal.any() that has an
 * abort listener is kept in a process-wide set until that listener is
 * removed, even once it has aborted; the OpenAI SDK adds such a listener for
 * every request and never removes it, so every request of a job (about 2 KB
 * each, its controller and what hangs on it) stayed in memory for the
 * life of the process. A plain signal is collected with the request.
 * `unlink()` when the request is over: the sources forget it.
 */
import type { Clock } from '../../kernel/deps';

export function linkedSignal(sources: ReadonlyArray<AbortSignal | undefined>): { signal: AbortSignal; unlink(): void } {
  const controller = new AbortController();
  const present = sources.filter((s): s is AbortSignal => s !== undefined);
  const abort = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  const already = present.find((s) => s.aborted);
  if (already) controller.abort(already.reason);
  else for (const source of present) source.addEventListener('abort', abort, { once: true });
  return {
    signal: controller.signal,
    unlink: () => {
      for (const source of present) source.removeEventListener('abort', abort);
    },
  };
}

/**
 * A request's signal: its whole-call deadline on the injected clock, linked
 * with the caller's cancel and any other source. `end()` when the request is
 * over: the timer is cancelled and the sources forget it.
 */
export function requestSignal(
  clock: Pick<Clock, 'setTimeout'>,
  timeoutMs: number,
  sources: ReadonlyArray<AbortSignal | undefined>,
): { signal: AbortSignal; deadline: AbortSignal; end(): void } {
  const deadline = new AbortController();
  const timer = clock.setTimeout(() => deadline.abort(), timeoutMs);
  const linked = linkedSignal([deadline.signal, ...sources]);
  return {
    signal: linked.signal,
    deadline: deadline.signal,
    end: () => {
      timer.cancel();
      linked.unlink();
    },
  };
}
