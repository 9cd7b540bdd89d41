/**
 * What a model will actually look at, so nothing is uploaded that the server
 * would only scale away, and what an image costs in tokens (for pacing on
 * `x-ratelimit-*-tokens` and for cost estimates).
 *
 * The one table of model families lives here. OpenAI's published image
 * sizing has two schemes:
 *  - tiles: fit inside 2048×2048, then shrink so the short side is at most
 *    768 px; billed per 512-px tile plus a base (gpt-4o, gpt-4.1, gpt-4.5,
 *    o1, o3, gpt-5 …);
 *  - patches: 32-px patches, at most a patch budget (1536) — larger images
 *    are scaled so they fit; billed per patch times a multiplier
 *    (gpt-4.1-mini/nano, o4-mini, gpt-5-mini/nano).
 * `low` detail is one 512-px view for every family. Models not in the table
 * keep the size Loupe always used: 1536 px on the long side (512 for low).
 */
import type { ImageDetail } from '../../../contract';

export type ImageScheme =
  { kind: 'tiles'; base: number; perTile: number } | { kind: 'patches'; budget: number; multiplier: number } | { kind: 'unknown' };

export interface ModelFamily {
  /** Matches the model id (exact, or the id followed by `-` and a date or variant). */
  prefix: string;
  scheme: ImageScheme;
}

/** Longest match wins, so `gpt-4.1-mini` (patches) beats `gpt-4.1` (tiles). */
export const MODEL_FAMILIES: readonly ModelFamily[] = [
  { prefix: 'gpt-4o-mini', scheme: { kind: 'tiles', base: 2833, perTile: 5667 } },
  { prefix: 'gpt-4o', scheme: { kind: 'tiles', base: 85, perTile: 170 } },
  { prefix: 'chatgpt-4o', scheme: { kind: 'tiles', base: 85, perTile: 170 } },
  { prefix: 'gpt-4.1-mini', scheme: { kind: 'patches', budget: 1536, multiplier: 1.62 } },
  { prefix: 'gpt-4.1-nano', scheme: { kind: 'patches', budget: 1536, multiplier: 2.46 } },
  { prefix: 'gpt-4.1', scheme: { kind: 'tiles', base: 85, perTile: 170 } },
  { prefix: 'gpt-4.5', scheme: { kind: 'tiles', base: 85, perTile: 170 } },
  { prefix: 'o1', scheme: { kind: 'tiles', base: 75, perTile: 150 } },
  { prefix: 'o3', scheme: { kind: 'tiles', base: 75, perTile: 150 } },
  { prefix: 'o4-mini', scheme: { kind: 'patches', budget: 1536, multiplier: 1.72 } },
  { prefix: 'computer-use-preview', scheme: { kind: 'tiles', base: 65, perTile: 129 } },
  { prefix: 'gpt-5-mini', scheme: { kind: 'patches', budget: 1536, multiplier: 1.62 } },
  { prefix: 'gpt-5-nano', scheme: { kind: 'patches', budget: 1536, multiplier: 2.46 } },
  { prefix: 'gpt-5', scheme: { kind: 'tiles', base: 70, perTile: 140 } },
];

/** Today's size for models Loupe doesn't know. */
export const FALLBACK_EDGE: Record<ImageDetail, number> = { low: 512, high: 1536, auto: 1536 };
const LOW_EDGE = 512;
const TILE_FIT = 2048;
const TILE_SHORT = 768;
const TILE = 512;
const PATCH = 32;
/** Tokens assumed for an image of a model not in the table (the tile scheme's 85 + 170 × tiles). */
const UNKNOWN_SCHEME = { kind: 'tiles', base: 85, perTile: 170 } as const;

export function modelFamily(model: string): ModelFamily | undefined {
  const id = model.trim().toLowerCase();
  let best: ModelFamily | undefined;
  for (const family of MODEL_FAMILIES) {
    const p = family.prefix;
    if ((id === p || id.startsWith(`${p}-`)) && (!best || p.length > best.prefix.length)) best = family;
  }
  return best;
}

export function imageScheme(model: string): ImageScheme {
  return modelFamily(model)?.scheme ?? { kind: 'unknown' };
}

export interface Size {
  width: number;
  height: number;
}

function fitInside(w: number, h: number, maxW: number, maxH: number): Size {
  const scale = Math.min(1, maxW / w, maxH / h);
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) };
}

/** The tile scheme's resize: inside 2048², then short side ≤ 768. */
export function tileSize(w: number, h: number): Size {
  const fit = fitInside(w, h, TILE_FIT, TILE_FIT);
  const shrink = Math.min(1, TILE_SHORT / Math.min(fit.width, fit.height));
  return { width: Math.max(1, Math.round(fit.width * shrink)), height: Math.max(1, Math.round(fit.height * shrink)) };
}

/** The patch scheme's resize: at most `budget` 32-px patches, whole patches across the limiting side. */
export function patchSize(w: number, h: number, budget: number): Size {
  if (Math.ceil(w / PATCH) * Math.ceil(h / PATCH) <= budget) return { width: w, height: h };
  let scale = Math.sqrt((PATCH * PATCH * budget) / (w * h));
  const pw = (w * scale) / PATCH;
  const ph = (h * scale) / PATCH;
  scale *= Math.min(Math.floor(pw) / pw, Math.floor(ph) / ph);
  return { width: Math.max(1, Math.floor(w * scale)), height: Math.max(1, Math.floor(h * scale)) };
}

/**
 * The size to upload an image of `width`×`height` (as displayed) for `model`
 * at `detail`: what the server would keep, never larger than the source.
 */
export function targetSize(model: string, detail: ImageDetail, width: number, height: number, fallbackEdge: number = FALLBACK_EDGE[detail]): Size {
  const scheme = imageScheme(model);
  if (detail === 'low') return fitInside(width, height, LOW_EDGE, LOW_EDGE);
  switch (scheme.kind) {
    case 'tiles':
      return tileSize(width, height);
    case 'patches':
      return patchSize(width, height, scheme.budget);
    default:
      return fitInside(width, height, fallbackEdge, fallbackEdge);
  }
}

/** Input tokens the model bills for an image uploaded at `width`×`height`. */
export function imageTokens(model: string, detail: ImageDetail, width: number, height: number): number {
  const known = imageScheme(model);
  const scheme = known.kind === 'unknown' ? UNKNOWN_SCHEME : known;
  if (scheme.kind === 'tiles') {
    if (detail === 'low') return scheme.base;
    const s = tileSize(width, height);
    return scheme.base + scheme.perTile * Math.ceil(s.width / TILE) * Math.ceil(s.height / TILE);
  }
  const s = detail === 'low' ? fitInside(width, height, LOW_EDGE, LOW_EDGE) : patchSize(width, height, scheme.budget);
  const patches = Math.min(scheme.budget, Math.ceil(s.width / PATCH) * Math.ceil(s.height / PATCH));
  return Math.ceil(patches * scheme.multiplier);
}
