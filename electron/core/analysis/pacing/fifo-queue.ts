/**
 * The scheduler's queue of items not yet started. A plain array's shift()
 * copies the whole array once it is large (V8 cannot trim arrays in its
 * large-object space), which made every photo of a 30,000-photo job cost in
 * proportion to the photos left.
 */
/** First in, first out, in O(1) per item: the taken front is dropped in slices, never one shift() at a time. */
export class FifoQueue {
  #items: string[];
  #head = 0;

  constructor(items: readonly string[] = []) {
    this.#items = [...items];
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(items: readonly string[]): void {
    for (const item of items) this.#items.push(item);
  }

  take(): string | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head++];
    // Compacted once the taken part is half the array: amortised O(1), memory bounded by what is left.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}
