/** AppState's model list (see electron/contract.ts). */
import type { CommandError } from './errors';

export interface ModelView {
  slug: string;
  displayName: string;
  /** Accepts image input: from the server's `input_modalities`, else a known list, else the person's override. */
  vision: boolean;
  visionSource: 'server' | 'known' | 'override' | 'unknown';
  /** What the server or the known list says, apart from the person's override. */
  detectedVision: boolean;
}

export interface ModelsView {
  status: 'idle' | 'loading' | 'ready' | 'error';
  items: ModelView[];
  error: CommandError | null;
  /** When `items` were fetched; after an error they are the last good list. */
  fetchedAt: number | null;
  /** The person's default model (persisted). */
  selected: string | null;
}
