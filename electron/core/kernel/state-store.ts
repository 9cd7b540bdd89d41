/**
 * Holds the one AppState snapshot and tells subscribers when it changes.
 * Snapshots are replaced, never mutated, so a subscriber may keep the one it got.
 */
export class StateStore<S extends object> {
  #state: S;
  readonly #listeners = new Set<(state: S) => void>();

  constructor(initial: S) {
    this.#state = Object.freeze({ ...initial });
  }

  get(): S {
    return this.#state;
  }

  update(patch: (state: S) => Partial<S>): void {
    const next = Object.freeze({ ...this.#state, ...patch(this.#state) });
    this.#state = next;
    for (const listener of this.#listeners) listener(next);
  }

  subscribe(listener: (state: S) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
