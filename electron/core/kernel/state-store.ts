/**
 * Holds the one AppState snapshot and tells subscribers when it changes.
 * Services never build state themselves: they call `invalidate()` and the
 * store recomputes the snapshot from its source. Snapshots are replaced,
 * never mutated, so a subscriber may keep the one it got.
 *
 * Every domain is throttled the same way, through the Clock (so tests control
 * it): the first change after a quiet window is published at once (a click
 * answers without delay), and further changes within the window are folded
 * into one publish at its end, so job progress or a burst of account changes
 * reaches the window a few times a second, never hundreds. `flush()` publishes
 * a folded change at once: the composition root calls it when a command or a
 * sign-in or refresh settles, so its outcome never waits for the window.
 */
import type { Clock } from './deps';

/** The renderer needs a few frames a second, not every progress tick. */
export const PUBLISH_THROTTLE_MS = 200;

export class StateStore<S extends object> {
  #state: S | undefined;
  #source: (() => S) | undefined;
  /** Open while a publish happened less than throttleMs ago. */
  #window: { cancel(): void } | undefined;
  /** A change arrived inside the window and is not published yet. */
  #dirty = false;
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

  /** Something changed: publish now, or at the end of the current throttle window. */
  invalidate(): void {
    if (!this.#source) return;
    if (this.#window) {
      this.#dirty = true;
      return;
    }
    this.#publish();
  }

  /** Publish a change still waiting for the end of the window, now. */
  flush(): void {
    if (this.#dirty) this.#publish();
  }

  subscribe(listener: (state: S) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  dispose(): void {
    this.#window?.cancel();
    this.#window = undefined;
    this.#dirty = false;
  }

  #publish(): void {
    this.#dirty = false;
    this.#window?.cancel();
    this.#window = this.clock.setTimeout(() => {
      this.#window = undefined;
      if (this.#dirty) this.#publish();
    }, this.throttleMs);
    this.#state = Object.freeze({ ...this.#source!() });
    for (const listener of this.#listeners) listener(this.#state);
  }
}
