/**
 * Holds the one AppState snapshot and tells subscribers when it changes.
 * Services never build state themselves: they call `invalidate()` and the
 * store recomputes the snapshot from its source. Job progress can change
 * hundreds of times a second, so `invalidateSoon()` publishes at most once
 * per throttle window (through the Clock, so tests control it).
 * Snapshots are replaced, never mutated, so a subscriber may keep the one it got.
 */
import type { Clock } from './deps';

/** The renderer needs a few frames a second, not every progress tick. */
export const PUBLISH_THROTTLE_MS = 200;

export class StateStore<S extends object> {
  #state: S | undefined;
  #source: (() => S) | undefined;
  #pending: { cancel(): void } | undefined;
  readonly #listeners = new Set<(state: S) => void>();

  constructor(
    private readonly clock: Clock,
    private readonly throttleMs = PUBLISH_THROTTLE_MS,
  ) {}

  /** Connects the snapshot source once every service exists; changes before that are part of the first snapshot. */
  start(source: () => S): void {
    if (this.#source) throw new Error('the state store is already started');
    this.#source = source;
    this.#state = Object.freeze({ ...source() });
  }

  get(): S {
    if (!this.#state) throw new Error('the state store is not started');
    return this.#state;
  }

  /** Something changed: publish a fresh snapshot now. */
  invalidate(): void {
    if (!this.#source) return;
    this.#pending?.cancel();
    this.#pending = undefined;
    this.#publish(this.#source());
  }

  /** Something changed that may change again at once: publish within the throttle window. */
  invalidateSoon(): void {
    if (!this.#source || this.#pending) return;
    this.#pending = this.clock.setTimeout(() => {
      this.#pending = undefined;
      this.invalidate();
    }, this.throttleMs);
  }

  subscribe(listener: (state: S) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  dispose(): void {
    this.#pending?.cancel();
    this.#pending = undefined;
  }

  #publish(next: S): void {
    this.#state = Object.freeze({ ...next });
    for (const listener of this.#listeners) listener(this.#state);
  }
}
