/**
 * Process-wide memory settings for a process that runs jobs of up to 100,000
 * photos: the core says what it is doing and holds (CoreDeps.processMemory),
 * and the host applies it here. Plain Node, no `electron`: the app, the
 * harness, the bench and the tests share it.
 *
 * - libvips keeps recent operations (decoded pixels) for reuse; every photo
 *   is read once here, so that cache only holds memory (about 40 MB of peak
 *   RSS in the benchmark).
 * - V8 lets its heap grow to up to four times what survived the last full
 *   collection when collections are cheap next to the allocation rate, as
 *   they are in a job (every photo allocates request, answer and file text
 *   that dies young). With a few thousand item records live that costs
 *   little, and the extra room saves collection work (about 8 ms of CPU per
 *   12 MP photo in the benchmark's scenario B). With 100,000 records live it
 *   was about 400 MB of heap for about 120 MB live, and peak RSS 540 MB; so
 *   while many item records are in memory the heap grows by half what is
 *   live instead (`npm run bench -- --scale`: 332 MB, same throughput).
 *   V8 reads the growth factor at every collection, so setting it at run
 *   time takes effect, and 0 gives back V8's own choice. Electron keeps the
 *   main process's V8 flags unfrozen for `v8.setFlagsFromString`, as Node
 *   does (electron/electron#42414); a V8 without the flag prints
 *   "unrecognized flag" and goes on as before.
 *
 * sharp is loaded only when the first photo is about to be decoded: main.ts
 * installs the image backend (image-backend.ts) before anything loads it.
 */
import v8 from 'node:v8';
import type { ProcessMemory } from '../core/kernel/deps';

/** More item records in memory than this, and the heap grows by half what is live. */
export const MANY_ITEMS = 10_000;
const GROW_BY_HALF = '--heap-growing-percent=50';
const V8_DEFAULT = '--heap-growing-percent=0';

/** The V8 flag is process-wide, so is whether it is set. */
let growingByHalf = false;

/** Sets the heap's growth for the item records held in memory now. */
export function fitHeapGrowth(itemRecords: number): void {
  const many = itemRecords > MANY_ITEMS;
  if (many === growingByHalf) return;
  growingByHalf = many;
  v8.setFlagsFromString(many ? GROW_BY_HALF : V8_DEFAULT);
}

export function nodeProcessMemory(): ProcessMemory {
  return {
    decodingPhotos: async () => {
      const { default: sharp } = await import('sharp');
      sharp.cache(false);
    },
    itemRecordsInMemory: fitHeapGrowth,
  };
}
