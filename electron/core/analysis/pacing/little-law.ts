/**
 * Little's law for requests in flight: L = λ·W. To send at the rate the
 * server allows (λ, requests per ms, the lower of the request limit and the
 * token limit ÷ tokens per request) when each request takes W ms, about λ·W
 * must be out at once. A little head-room covers latency jitter; pacing, not
 * this number, keeps the rate. The target is bounded by the memory budget for
 * prepared photos (each one in flight holds its JPEG, its base64 copy and the
 * request body) and by the person's cap, when they set one.
 */

export interface InFlightInputs {
  /** Allowed requests per ms; undefined when nothing is known yet. */
  ratePerMs: number | undefined;
  /** Observed request duration (send to last byte), ms. */
  latencyMs: number;
  /** Bytes of one prepared photo (average). */
  photoBytes: number;
  memoryBudgetBytes: number;
  /** Optional ceiling from Settings. */
  cap?: number | undefined;
  /** Used while the rate is unknown. */
  fallback: number;
}

/** Each photo in flight costs its JPEG, its base64 copy (4/3), the JSON body (4/3) and socket buffers. */
export const BYTES_PER_PHOTO_BYTE = 4;
const HEADROOM = 1.2;
const EXTRA = 2;

export function memoryBound(photoBytes: number, memoryBudgetBytes: number): number {
  if (!(photoBytes > 0)) return Number.POSITIVE_INFINITY;
  return Math.max(1, Math.floor(memoryBudgetBytes / (photoBytes * BYTES_PER_PHOTO_BYTE)));
}

export function inFlightTarget(i: InFlightInputs): number {
  const wanted = i.ratePerMs === undefined || !Number.isFinite(i.ratePerMs) ? i.fallback : Math.ceil(i.ratePerMs * i.latencyMs * HEADROOM) + EXTRA;
  const bounded = Math.min(wanted, memoryBound(i.photoBytes, i.memoryBudgetBytes), i.cap ?? Number.POSITIVE_INFINITY);
  return Math.max(1, Math.floor(bounded));
}

/**
 * Photos worth preparing ahead of sending: what will be sent while one more
 * is being prepared (rate × preparation time), plus one per parallel
 * preparation; never more than the memory budget allows.
 */
export function prefetchTarget(ratePerMs: number | undefined, prepareMs: number, parallel: number, ceiling: number): number {
  const during = ratePerMs === undefined || !Number.isFinite(ratePerMs) ? 0 : Math.ceil(ratePerMs * prepareMs);
  return Math.max(parallel, Math.min(ceiling, during + parallel));
}
