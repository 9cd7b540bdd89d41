/**
 * A job's thumbnails in this session: the most recent ones (kept as photos
 * are prepared, oldest out first: the window scrolls to what is happening
 * now) and those made on demand for a page of items the window asked for
 * (after a restart, or beyond the most recent ones), a few at a time in the
 * background so the page comes back at once.
 */
import { prepareThumbnailOnly } from '../input/prepare';

/** Thumbnails made at once for a page: enough to fill it quickly without starving a running job. */
const THUMBNAIL_PARALLEL = 4;

export class JobThumbnails {
  readonly #kept = new Map<string, string>();
  readonly #queue: Array<{ id: string; path: string }> = [];
  readonly #making = new Set<string>();
  #workers = 0;

  constructor(
    private readonly max: number,
    /** A thumbnail arrived: the window may pull its page again. */
    private readonly onChange: () => void,
  ) {}

  get(id: string): string | undefined {
    return this.#kept.get(id);
  }

  keep(id: string, thumbnail: string): void {
    this.#kept.delete(id);
    this.#kept.set(id, thumbnail);
    while (this.#kept.size > this.max) this.#kept.delete(this.#kept.keys().next().value!);
  }

  /** Makes, in the background, the thumbnails of these items that the session does not hold. */
  request(items: Array<{ id: string; path: string }>): void {
    for (const item of items) {
      if (this.#kept.has(item.id) || this.#making.has(item.id)) continue;
      this.#making.add(item.id);
      this.#queue.push({ id: item.id, path: item.path });
    }
    while (this.#workers < THUMBNAIL_PARALLEL && this.#queue.length > 0) void this.#work();
  }

  /** Drops what is waiting (before a quit). */
  clearQueue(): void {
    for (const item of this.#queue) this.#making.delete(item.id);
    this.#queue.length = 0;
  }

  async #work(): Promise<void> {
    this.#workers++;
    try {
      for (let item = this.#queue.shift(); item; item = this.#queue.shift()) {
        try {
          this.keep(item.id, await prepareThumbnailOnly(item.path));
          this.onChange();
        } catch {
          /* moved or unreadable since: the item shows without one */
        } finally {
          this.#making.delete(item.id);
        }
      }
    } finally {
      this.#workers--;
    }
  }
}
