/**
 * The account's model catalog: `GET {api base}/models` with the session's
 * bearer token. Sign in with ChatGPT answers `{ models: [{ slug,
 * display_name, visibility, … }] }`; only `visibility: "list"` entries are
 * shown, in the server's order (notes §10.1).
 */
import { z } from 'zod';
import type { ModelView, ModelsView } from '../contract';
import type { KeyValueStore, Logger } from './deps';
import { LoupeError } from './errors';
import type { Session } from './session';

const CatalogSchema = z.object({
  models: z.array(
    z
      .object({
        slug: z.string().min(1),
        display_name: z.string().optional(),
        visibility: z.string().optional(),
        input_modalities: z.array(z.string()).optional(),
      })
      .loose(),
  ),
});

export function parseModelCatalog(body: unknown): ModelView[] {
  const parsed = CatalogSchema.safeParse(body);
  if (!parsed.success) {
    throw new LoupeError('unexpected_models_response', 'The server answered the model list in a shape Loupe does not understand.', { retryable: true });
  }
  return parsed.data.models
    .filter((m) => m.visibility === 'list')
    .map((m) => ({ slug: m.slug, displayName: m.display_name || m.slug, vision: m.input_modalities?.includes('image') ?? false }));
}

export interface ModelsDeps {
  session: Session;
  apiBase: URL;
  fetch: typeof fetch;
  store: KeyValueStore;
  now(): number;
  log: Logger;
  onChange(): void;
}

export class ModelCatalog {
  #status: ModelsView['status'] = 'idle';
  #items: ModelView[] = [];
  #error: ModelsView['error'] = null;
  #fetchedAt: number | null = null;
  #inflight: Promise<void> | undefined;

  constructor(private readonly deps: ModelsDeps) {}

  view(): ModelsView {
    return { status: this.#status, items: this.#items, error: this.#error, fetchedAt: this.#fetchedAt, selected: this.selected() };
  }

  /** The persisted choice when the list has it, else the first vision model, else the first model. */
  selected(): string | null {
    const chosen = this.deps.store.get('defaultModel');
    if (typeof chosen === 'string' && (this.#items.length === 0 || this.#items.some((m) => m.slug === chosen))) return chosen;
    return this.#items.find((m) => m.vision)?.slug ?? this.#items[0]?.slug ?? null;
  }

  select(slug: string): void {
    if (this.#items.length > 0 && !this.#items.some((m) => m.slug === slug)) {
      throw new LoupeError('unknown_model', 'That model is not in your account’s model list.', { field: 'slug' });
    }
    this.deps.store.set('defaultModel', slug);
    this.deps.onChange();
  }

  clear(): void {
    this.#status = 'idle';
    this.#items = [];
    this.#error = null;
    this.#fetchedAt = null;
    this.deps.onChange();
  }

  refresh(): Promise<void> {
    this.#inflight ??= this.#load().finally(() => {
      this.#inflight = undefined;
      this.deps.onChange();
    });
    return this.#inflight;
  }

  async #load(): Promise<void> {
    this.#status = 'loading';
    this.#error = null;
    this.deps.onChange();
    try {
      this.#items = await this.#fetchCatalog();
      this.#status = 'ready';
      this.#fetchedAt = this.deps.now();
    } catch (error) {
      const loupe =
        error instanceof LoupeError
          ? error
          : new LoupeError('network_error', 'Loupe could not reach the OpenAI API to list models.', { retryable: true });
      this.#status = 'error';
      this.#error = loupe.toCommandError();
      this.deps.log.warn('model list failed', { code: loupe.code });
    }
  }

  async #fetchCatalog(): Promise<ModelView[]> {
    const url = `${this.deps.apiBase.href.replace(/\/$/, '')}/models`;
    let token = await this.deps.session.accessToken();
    for (let attempt = 0; ; attempt++) {
      const response = await this.deps.fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, redirect: 'error' });
      if (response.status === 401 && attempt === 0) {
        token = await this.deps.session.afterUnauthorized(token);
        continue;
      }
      if (!response.ok) {
        const requestId = response.headers.get('x-request-id');
        this.deps.log.warn('models request failed', { status: response.status, requestId });
        throw new LoupeError(
          response.status === 401 || response.status === 403 ? 'models_forbidden' : 'models_unavailable',
          response.status === 401 || response.status === 403
            ? `The OpenAI API refused to list models for this account (HTTP ${response.status}).`
            : `The OpenAI API could not list models right now (HTTP ${response.status}).`,
          { retryable: response.status >= 500 || response.status === 429 },
        );
      }
      return parseModelCatalog(await response.json());
    }
  }
}
