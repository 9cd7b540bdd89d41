/**
 * The benchmark's matrix (see run.ts): the model, the stand-in's latency, each
 * scenario's rate limits, photo count and target, and the sizes of the side
 * measurements. `--quick` makes each of them smaller.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODELS, type ModelEntry } from '../servers/openai/openai-api';

export const repo = fileURLToPath(new URL('../..', import.meta.url));
export const QUICK = process.argv.includes('--quick');
export const MODEL = 'gpt-4.1';
export const MODELS: ModelEntry[] = [
  ...DEFAULT_MODELS,
  {
    slug: MODEL,
    display_name: 'GPT-4.1',
    visibility: 'list',
    input_modalities: ['text', 'image'],
    priority: 5,
    supported_in_api: true,
    context_window: 1_047_576,
  },
];
export const LATENCY_MS = 1500;
export const CORES = availableParallelism();

export interface Scenario {
  id: string;
  title: string;
  photos: number;
  rpm: number;
  burst: number;
  headers: boolean;
  tokensPerMinute?: number;
  tokenBurst?: number;
  target: number;
  max429Share?: number;
}

export const SCENARIOS: Scenario[] = [
  { id: 'A', title: '600/min, burst 10', photos: QUICK ? 60 : 200, rpm: 600, burst: 10, headers: true, target: 1.1 },
  { id: 'B', title: '6,000/min, burst 100', photos: QUICK ? 150 : 500, rpm: 6000, burst: 100, headers: true, target: 1.15 },
  { id: 'C', title: '120/min, burst 5, no rate headers', photos: 40, rpm: 120, burst: 5, headers: false, target: 1.15, max429Share: 0.05 },
  {
    id: 'D',
    title: '60,000 tokens/min (burst 6,000), 6,000 requests/min',
    photos: QUICK ? 12 : 30,
    rpm: 6000,
    burst: 100,
    headers: true,
    tokensPerMinute: 60_000,
    tokenBurst: 6000,
    target: 1.15,
    max429Share: 0.05,
  },
];
export const MAX_RSS_MB = 400;
export const BASELINE_N = QUICK ? 5 : 30;
export const SHARP_N = QUICK ? 30 : 80;
/** Rounds of Loupe's preparation, each between two of sharp alone (prep-compare.ts). */
export const PREP_ROUNDS = QUICK ? 2 : 3;
export const WASM_N = QUICK ? 4 : 12;
