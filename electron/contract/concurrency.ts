/** How many requests a live job sends at once: 'auto' or the person's ceiling (see electron/contract.ts). */
import { z } from 'zod';
import { SETTINGS_LIMITS } from './vocabularies';

/** Analysis concurrency: 'auto' (no ceiling of the person's own: rate × latency and memory decide) or a ceiling. */
export const CONCURRENCY_AUTO = 'auto';
export type ConcurrencySetting = typeof CONCURRENCY_AUTO | number;

/** 'auto' or a whole number within SETTINGS_LIMITS.analysisConcurrency. */
export function concurrencySetting() {
  const { min, max } = SETTINGS_LIMITS.analysisConcurrency;
  return z.union([z.literal(CONCURRENCY_AUTO), z.number().int().min(min).max(max)]);
}
