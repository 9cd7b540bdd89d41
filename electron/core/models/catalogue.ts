/**
 * The active account's model catalog: `GET {api base}/models`. Sign in with
 * ChatGPT answers `{ models: [{ slug, display_name, visibility, … }] }` (only
 * `visibility: "list"` entries are shown, in the server's order, notes §10.1);
 * API keys and OpenAI-compatible servers answer `{ data: [{ id, … }] }`. The
 * last good list per account is kept with its time and shown while offline.
 */
import { z } from 'zod';
import type { ModelView, ModelsView } from '../../contract';
import type { AccountAccess } from '../accounts/account-access';
import { type Clock, type Logger, timeoutSignal } from '../kernel/deps';
import { LoupeError } from '../kernel/errors';
import { withoutTrailingSlash } from '../kernel/urls';
import type { ModelStore } from './model-store';

const SiwcCatalog = z.object({
  models: z.array(
    z.looseObject({
      slug: z.string().min(1),
      display_name: z.string().optional(),
      visibility: z.string().optional(),
      input_modalities: z.array(z.string()).optional(),
    }),
  ),
});

const ApiCatalog = z.object({
  data: z.array(
    z.looseObject({
      id: z.string().min(1),
      input_modalities: z.array(z.string()).optional(),
      modalities: z.array(z.string()).optional(),
    }),
  ),
});

/** Families known to accept images when a server does not say (OpenAI and common open models). */
const KNOWN_VISION = [
  /^gpt-4o/,
  /^gpt-4\.1/,
  /^gpt-4-turbo/,
  /^gpt-5/,
  /^gpt-6/,
  /^o[134](-|$)/,
  /vision/,
  /llava/,
  /-vl\b|-vl-|qwen.*vl/,
  /pixtral/,
  /gemma-?3/,
  /llama-?3\.2.*(11|90)b/,
  /llama-?4/,
  /minicpm-v/,
  /moondream/,
];

export interface RawModel {
  slug: string;
  displayName: string;
  /** What the server said about image input; undefined when it said nothing. */
  serverVision?: boolean | undefined;
}

export function parseModelCatalog(body: unknown, kind: AccountAccess['kind']): RawModel[] {
  const siwc = SiwcCatalog.safeParse(body);
  if (siwc.success) {
    return siwc.data.models
      .filter((m) => m.visibility === 'list')
      .map((m) => ({
        slug: m.slug,
        displayName: m.display_name || m.slug,
        serverVision: m.input_modalities ? m.input_modalities.includes('image') : undefined,
      }));
  }
  const api = ApiCatalog.safeParse(body);
  if (api.success && kind !== 'chatgpt') {
    return api.data.data.map((m) => {
      const modalities = m.input_modalities ?? m.modalities;
      return { slug: m.id, displayName: m.id, serverVision: modalities ? modalities.includes('image') : undefined };
    });
  }
  throw new LoupeError('unexpected_models_response', 'The server answered the model list in a shape Loupe does not understand.', { retryable: true });
}

export function visionOf(model: RawModel, override: boolean | undefined): Pick<ModelView, 'vision' | 'visionSource' | 'detectedVision'> {
  const detected = detectedVisionOf(model);
  if (override !== undefined) return { vision: override, visionSource: 'override', detectedVision: detected.vision };
  return { ...detected, detectedVision: detected.vision };
}

/** What the server (or else the known list) says, whatever the person chose. */
function detectedVisionOf(model: RawModel): Pick<ModelView, 'vision' | 'visionSource'> {
  if (model.serverVision !== undefined) return { vision: model.serverVision, visionSource: 'server' };
  if (KNOWN_VISION.some((re) => re.test(model.slug.toLowerCase()))) return { vision: true, visionSource: 'known' };
  return { vision: false, visionSource: 'unknown' };
}

/** One `GET {base}/models` with a bearer credential, retried once after a 401 when the account can renew. */
export async function fetchModels(access: AccountAccess, fetchImpl: typeof fetch, log: Logger, clock: Clock): Promise<RawModel[]> {
  const url = `${withoutTrailingSlash(access.apiBase.href)}/models`;
  let token = await access.accessToken();
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      response = await fetchImpl(url, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        redirect: 'error',
        signal: timeoutSignal(clock, 20_000),
      });
    } catch (cause) {
      throw new LoupeError('network_error', `Loupe could not reach ${access.apiBase.host} to list models.`, { retryable: true, cause });
    }
    if (response.status === 401 && attempt === 0 && access.kind !== 'api_key') {
      token = await access.afterUnauthorized(token);
      continue;
    }
    if (!response.ok) {
      log.warn('models request failed', { status: response.status, requestId: response.headers.get('x-request-id') });
      if (response.status === 401) {
        throw new LoupeError(
          access.kind === 'api_key' ? 'invalid_api_key' : 'models_forbidden',
          access.kind === 'api_key' ? 'The server rejected this API key (HTTP 401).' : 'The API did not accept this account (HTTP 401).',
        );
      }
      if (response.status === 403) throw new LoupeError('models_forbidden', `The API refused to list models for this account (HTTP 403).`);
      throw new LoupeError('models_unavailable', `The API could not list models right now (HTTP ${response.status}).`, {
        retryable: response.status >= 500 || response.status === 429,
      });
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new LoupeError('unexpected_models_response', 'The server answered the model list with something that is not JSON.', { retryable: true });
    }
    return parseModelCatalog(body, access.kind);
  }
}

export interface ModelsDeps {
  /** The account whose models to show (the active one), or undefined when none may be listed. */
  access(): AccountAccess | undefined;
  fetch: typeof fetch;
  store: ModelStore;
  clock: Clock;
  log: Logger;
  onChange(): void;
  /** A list request settled (the list arrived or failed): its outcome is shown at once. */
  onSettled(): void;
}

export class ModelCatalog {
  #status: ModelsView['status'] = 'idle';
  #error: ModelsView['error'] = null;
  #inflight: Promise<void> | undefined;
  /** The account the list in flight is for. */
  #inflightFor: string | undefined;

  constructor(private readonly deps: ModelsDeps) {}

  view(): ModelsView {
    const access = this.deps.access();
    if (!access) return { status: 'idle', items: [], error: null, fetchedAt: null, selected: null };
    const cached = this.deps.store.cache()[access.id];
    const items = this.#items(access.id, cached?.items ?? []);
    return { status: this.#status, items, error: this.#error, fetchedAt: cached?.fetchedAt ?? null, selected: this.#selected(access.id, items) };
  }

  /** The model a new job uses by default for this account. */
  selectedFor(accountId: string): string | null {
    return this.#selected(accountId, this.#items(accountId, this.deps.store.cache()[accountId]?.items ?? []));
  }

  async select(slug: string): Promise<void> {
    const access = this.#requireAccess();
    const items = this.deps.store.cache()[access.id]?.items ?? [];
    if (items.length > 0 && !items.some((m) => m.slug === slug)) {
      throw new LoupeError('unknown_model', 'That model is not in this account’s model list.', { field: 'slug' });
    }
    await this.deps.store.setDefaults({ ...this.deps.store.defaults(), [access.id]: slug });
    this.deps.onChange();
  }

  async setVision(slug: string, vision: boolean | null): Promise<void> {
    const access = this.#requireAccess();
    const overrides = { ...this.deps.store.visionOverrides() };
    const key = `${access.id} ${slug}`;
    if (vision === null) delete overrides[key];
    else overrides[key] = vision;
    await this.deps.store.setVisionOverrides(overrides);
    this.deps.onChange();
  }

  /** The account changed: show its cached list at once, then refresh. */
  reset(): void {
    this.#status = 'idle';
    this.#error = null;
    this.deps.onChange();
  }

  /** Whether the active account's models may be listed now. */
  canList(): boolean {
    return this.deps.access() !== undefined;
  }

  /** After a sign-in, switch, sign-out or forget: the new active account's list, refreshed when it may be listed. */
  followActiveAccount(): void {
    this.reset();
    if (this.deps.access()) void this.refresh();
  }

  async forget(accountId: string): Promise<void> {
    const { [accountId]: _dropped, ...rest } = this.deps.store.cache();
    await this.deps.store.setCache(rest);
  }

  /** Resolves once no model-list request is in flight (its result is written to the models store). */
  async idle(): Promise<void> {
    await this.#inflight?.catch(() => {});
  }

  /**
   * Lists the active account's models; callers for the same account share one request. When
   * another account's list is still arriving (a switch, a new key), this one follows it instead
   * of being swallowed by it.
   */
  refresh(): Promise<void> {
    const accountId = this.deps.access()?.id;
    if (this.#inflight && this.#inflightFor === accountId) return this.#inflight;
    const before = this.#inflight;
    const run: Promise<void> = (async () => {
      await before?.catch(() => {});
      await this.#load();
    })().finally(() => {
      if (this.#inflight === run) {
        this.#inflight = undefined;
        this.#inflightFor = undefined;
      }
      this.deps.onChange();
      this.deps.onSettled();
    });
    this.#inflight = run;
    this.#inflightFor = accountId;
    return run;
  }

  async #load(): Promise<void> {
    const access = this.deps.access();
    if (!access) return;
    this.#status = 'loading';
    this.#error = null;
    this.deps.onChange();
    try {
      const items = await fetchModels(access, this.deps.fetch, this.deps.log, this.deps.clock);
      await this.deps.store.setCache({ ...this.deps.store.cache(), [access.id]: { items, fetchedAt: this.deps.clock.now() } });
      this.#status = 'ready';
    } catch (error) {
      const loupe = error instanceof LoupeError ? error : new LoupeError('network_error', 'Loupe could not list models.', { retryable: true });
      this.#status = 'error';
      this.#error = loupe.toCommandError();
      this.deps.log.warn('model list failed', { code: loupe.code });
    }
  }

  #items(accountId: string, raw: RawModel[]): ModelView[] {
    const overrides = this.deps.store.visionOverrides();
    return raw.map((m) => ({ slug: m.slug, displayName: m.displayName, ...visionOf(m, overrides[`${accountId} ${m.slug}`]) }));
  }

  /** The persisted choice when the list has it, else the first vision model, else the first model. */
  #selected(accountId: string, items: ModelView[]): string | null {
    const chosen = this.deps.store.defaults()[accountId];
    if (typeof chosen === 'string' && (items.length === 0 || items.some((m) => m.slug === chosen))) return chosen;
    return items.find((m) => m.vision)?.slug ?? items[0]?.slug ?? null;
  }

  #requireAccess(): AccountAccess {
    const access = this.deps.access();
    if (!access) throw new LoupeError('signed_out', 'Sign in first.');
    return access;
  }
}
