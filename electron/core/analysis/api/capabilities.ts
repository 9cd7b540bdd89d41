/**
 * Which models accept strict structured outputs (`text.format` json_schema).
 * Nothing documents this for ChatGPT-plan traffic (protocol notes §10.2), so
 * the first request per model is the probe: while it is out, other requests
 * for that model wait for its verdict instead of all hitting the same 400,
 * and the verdict is kept in the data folder so a refused body is never sent
 * again, not even after a restart.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../kernel/deps';
import { writeAtomicAsync } from '../files/write-atomic-async';

interface Verdict {
  structuredOutputs: boolean;
  checkedAt: number;
}

/** A "no" is re-probed after this long: the server may have gained the feature. */
const RECHECK_REFUSED_MS = 7 * 24 * 3_600_000;

export class CapabilityMemory {
  #verdicts: Record<string, Verdict> = {};
  #probes = new Map<string, Promise<void>>();
  #releases = new Map<string, () => void>();
  /** The verdicts saved by earlier runs, read once before the first plan. */
  readonly #loaded: Promise<void>;
  /** Saves, one after another, so an older verdict never lands after a newer one. */
  #saving: Promise<void> = Promise.resolve();
  readonly path: string;

  constructor(
    dataDir: string,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {
    this.path = join(dataDir, 'analysis-capabilities.json');
    this.#loaded = this.#load();
  }

  async #load(): Promise<void> {
    try {
      const raw = JSON.parse(await readFile(this.path, 'utf8')) as unknown;
      if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
        for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
          const v = value as Partial<Verdict> | null;
          // A verdict learned in this run before the file was read is newer.
          if (v && typeof v.structuredOutputs === 'boolean' && typeof v.checkedAt === 'number')
            this.#verdicts[key] ??= { structuredOutputs: v.structuredOutputs, checkedAt: v.checkedAt };
        }
      }
    } catch {
      // Missing or unreadable: every model gets probed again, which is only a little slower.
    }
  }

  /** Known verdict, or undefined when the model hasn't been tried (or a refusal is stale). */
  structuredOutputs(key: string): boolean | undefined {
    const v = this.#verdicts[key];
    if (!v) return undefined;
    if (!v.structuredOutputs && this.now() - v.checkedAt > RECHECK_REFUSED_MS) return undefined;
    return v.structuredOutputs;
  }

  /**
   * Resolves to whether this request should ask for structured outputs. When
   * the answer is unknown, one caller becomes the probe (`probe: true`) and
   * must call `settle`; the others wait for it.
   */
  async plan(key: string, signal?: AbortSignal): Promise<{ structured: boolean; probe: boolean }> {
    await this.#loaded;
    for (;;) {
      const known = this.structuredOutputs(key);
      if (known !== undefined) return { structured: known, probe: false };
      const pending = this.#probes.get(key);
      if (!pending) {
        let release!: () => void;
        this.#probes.set(
          key,
          new Promise<void>((resolve) => (release = resolve)).finally(() => this.#probes.delete(key)),
        );
        this.#releases.set(key, release);
        return { structured: true, probe: true };
      }
      await waitOrAbort(pending, signal);
    }
  }

  /** The probe's outcome: true/false when the server said so, undefined when the request failed for another reason. */
  settle(key: string, structuredOutputs: boolean | undefined): void {
    if (structuredOutputs !== undefined) this.record(key, structuredOutputs);
    const release = this.#releases.get(key);
    this.#releases.delete(key);
    release?.();
  }

  /** Resolves once every verdict learned so far is on disk (before a quit). */
  saved(): Promise<void> {
    return this.#saving;
  }

  record(key: string, structuredOutputs: boolean): void {
    const before = this.#verdicts[key];
    this.#verdicts[key] = { structuredOutputs, checkedAt: this.now() };
    if (before?.structuredOutputs === structuredOutputs) return;
    this.log.info('model capability learned', { model: key, structuredOutputs });
    this.#saving = this.#saving
      .then(() => this.#loaded)
      .then(() => writeAtomicAsync(this.path, JSON.stringify(this.#verdicts, null, 2)))
      .catch(() => this.log.warn('could not save model capabilities'));
  }
}

function waitOrAbort(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
