import type { Clock } from '../../electron/core/kernel/deps';

/** A clock tests move by hand; timers fire when `advance` passes their time. */
export class ManualClock implements Clock {
  #now: number;
  #timers: Array<{ at: number; fn: () => void; live: boolean }> = [];

  constructor(start = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number) {
    const timer = { at: this.#now + ms, fn, live: true };
    this.#timers.push(timer);
    return { cancel: () => void (timer.live = false) };
  }

  /** Moves time forward and runs every timer that came due, in order. */
  advance(ms: number): void {
    this.#now += ms;
    const due = this.#timers.filter((t) => t.live && t.at <= this.#now).sort((a, b) => a.at - b.at);
    this.#timers = this.#timers.filter((t) => !due.includes(t));
    for (const timer of due) {
      timer.live = false;
      timer.fn();
    }
  }

  pending(): number {
    return this.#timers.filter((t) => t.live).length;
  }
}
