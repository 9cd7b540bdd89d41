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

  dismiss(id: string): void {
    this.#list = this.#list.filter((n) => n.id !== id);
    this.onChange();
  }
}
