/**
 * Process-wide memory settings for a process that runs jobs of up to 100,000
 * photos, applied once when the engine opens.
 *
 * - libvips keeps recent operations (decoded pixels) for reuse; every photo
 *   is read once here, so that cache only holds memory (about 40 MB of peak
 *   RSS in the benchmark).
 * - V8 lets its heap grow to up to four times what survives a collection
 *   when collections are cheap next to the allocation rate, as they are in a
 *   job (every photo allocates request, answer and file text that dies
 *   young). At 100,000 photos that was about 400 MB of heap for about 120 MB
 *   live, and peak RSS 540 MB. Growing by half instead keeps the heap near
 *   what is live, for little more collection work (the scale bench:
 *   `npm run bench -- --scale`). The growth factor is read at every
 *   collection, so setting it at run time takes effect; Electron keeps the
 *   main process's V8 flags unfrozen for `v8.setFlagsFromString`
 *   (electron/electron#42414), as Node does.
 */
import v8 from 'node:v8';
import sharp from 'sharp';

/** The heap grows to at most 1.5 × what survived the last full collection. */
export const HEAP_GROWING_FLAG = '--heap-growing-percent=50';

let applied = false;

export function applyMemoryPolicy(): void {
  sharp.cache(false);
  if (applied) return;
  applied = true;
  v8.setFlagsFromString(HEAP_GROWING_FLAG);
}
