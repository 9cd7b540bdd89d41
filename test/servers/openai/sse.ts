// Server-sent events on the wire: ids, answer text split into deltas with the API's `obfuscation`
// pad, and timed playback over the latency. What the events say is in responses-stream.ts
// (Responses API) and chat-stream.ts (Chat Completions).

import type { Clock } from '../../../electron/core/kernel/deps';
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

export const newId = (prefix: string, bytes = 24): string => `${prefix}${randomBytes(bytes).toString('hex')}`;

/** Split text into delta-sized pieces: ~token-sized for short answers, at most ~48 pieces. */
export function splitDeltas(text: string): string[] {
  if (!text) return [];
  const size = Math.max(6, Math.ceil(text.length / 48));
  const out: string[] = [];
  const chars = [...text]; // keep surrogate pairs together
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

const OBF = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** The API pads deltas with random characters so sizes don't leak token lengths. */
export function obfuscation(delta: string, n: number): string {
  const len = 16 - (Buffer.byteLength(delta) % 16) || 1;
  let s = '';
  for (let i = 0; i < len; i++) s += OBF[(n * 31 + i * 7 + delta.length) % OBF.length];
  return s;
}

export interface TimedChunk {
  /** Fraction of the total latency at which this chunk is due (0..1). */
  at: number;
  text: string;
}

/**
 * Write timed chunks over `latencyMs` using timers (no busy waiting); chunks due together go out
 * in one write. Resolves when done or when the client goes away. `cancel` stops it early.
 */
export function playChunks(
  res: ServerResponse,
  chunks: TimedChunk[],
  latencyMs: number,
  onEnd: 'end' | 'destroy',
  clock: Clock,
): { done: Promise<void>; cancel: () => void } {
  let timer: { cancel(): void } | null = null;
  let finished = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const finish = (): void => {
    if (finished) return;
    finished = true;
    timer?.cancel();
    resolveDone();
  };
  res.on('close', finish);
  const t0 = clock.now();
  let i = 0;
  const step = (): void => {
    timer = null;
    if (finished || res.destroyed) return finish();
    const now = clock.now() - t0;
    let batch = '';
    while (i < chunks.length && chunks[i]!.at * latencyMs <= now + 1) batch += chunks[i++]!.text;
    const last = i >= chunks.length;
    if (last && onEnd === 'destroy') {
      // Cut the connection without a terminal event, but only once the bytes so far are out.
      const cut = (): void => {
        res.socket?.destroy();
        finish();
      };
      if (batch) res.write(batch, cut);
      else cut();
      return;
    }
    if (batch) res.write(batch);
    if (last) {
      res.end();
      finish();
      return;
    }
    timer = clock.setTimeout(step, Math.max(0, chunks[i]!.at * latencyMs - (clock.now() - t0)));
  };
  step();
  return {
    done,
    cancel: () => {
      if (!finished) res.socket?.destroy();
      finish();
    },
  };
}
