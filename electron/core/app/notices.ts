import type { Notice } from '../../contract';

/** Messages about the app itself (a store set aside, memory-only sign-in) until the person dismisses them. */
export class Notices {
  #list: Notice[];

  constructor(
    initial: Notice[],
    private readonly onChange: () => void,
  ) {
    this.#list = [...initial];
  }

  list(): Notice[] {
    return this.#list;
  }

  /** Shows the given notices that are not already shown. */
  addMissing(notices: readonly Notice[]): void {
    const shown = new Set(this.#list.map((n) => n.id));
    const added = notices.filter((n) => !shown.has(n.id));
    if (added.length === 0) return;
    this.#list = [...this.#list, ...added];
    this.onChange();
  }

  /** Drops the notices that no longer apply. */
  keep(predicate: (notice: Notice) => boolean): void {
    this.#list = this.#list.filter(predicate);
    this.onChange();
  }

  dismiss(id: string): void {
    this.#list = this.#list.filter((n) => n.id !== id);
    this.onChange();
  }
}
