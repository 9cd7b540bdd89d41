// oidc-provider 9 ships no type declarations and @types/oidc-provider is not installed. This covers
// only the surface the stand-in authorization server (test/servers/auth-server.ts) uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export type AdapterPayload = Record<string, unknown> & {
    grantId?: string;
    consumed?: number;
    exp?: number;
    uid?: string;
    userCode?: string;
  };

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  /** The Koa context oidc-provider hands to middleware registered with `provider.use`. */
  export interface KoaContextWithOIDC {
    req: IncomingMessage;
    res: ServerResponse;
    method: string;
    path: string;
    url: string;
    querystring: string;
    query: Record<string, string | string[] | undefined>;
    status: number;
    body: unknown;
    type: string;
    respond: boolean;
    oidc?: {
      route?: string;
      client?: { clientId: string };
      params?: Record<string, unknown>;
      session?: { accountId?: string };
      result?: Record<string, unknown>;
    };
    get(field: string): string;
    set(field: string, value: string): void;
    remove(field: string): void;
    redirect(url: string): void;
    response: { get(field: string): string };
  }

  export type Middleware = (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>;

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, unknown>;
    session?: { accountId: string; uid?: string; cookie?: string };
    grantId?: string;
    lastSubmission?: Record<string, unknown>;
  }

  export interface GrantInstance {
    jti?: string;
    accountId?: string;
    clientId?: string;
    addOIDCScope(scope: string): void;
    rejectOIDCScope(scope: string): void;
    getOIDCScope(): string;
    save(): Promise<string>;
    destroy(): Promise<void>;
  }

  export interface TokenInstance {
    jti: string;
    accountId: string;
    clientId: string;
    grantId: string;
    scope?: string;
    exp: number;
    iat: number;
    consumed?: number;
    isExpired: boolean;
  }

  export interface TokenModel<T> {
    find(value: string, options?: { ignoreExpiration?: boolean }): Promise<T | undefined>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export interface ProviderConfiguration {
    [key: string]: unknown;
  }

  export class Provider {
    constructor(issuer: string, configuration?: ProviderConfiguration);
    readonly issuer: string;
    use(middleware: Middleware): this;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: string, listener: (...args: any[]) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
    readonly Grant: TokenModel<GrantInstance> & {
      new (init: { accountId: string; clientId: string }): GrantInstance;
      adapter: Adapter;
    };
    readonly AccessToken: TokenModel<TokenInstance>;
    readonly RefreshToken: TokenModel<TokenInstance>;
    readonly AuthorizationCode: TokenModel<TokenInstance>;
  }

  export class OIDCProviderError extends Error {
    error: string;
    error_description?: string;
    status: number;
    statusCode: number;
  }

  export const errors: {
    OIDCProviderError: typeof OIDCProviderError;
    InvalidRequest: new (description?: string, code?: number) => OIDCProviderError;
    InvalidTarget: new (description?: string) => OIDCProviderError;
  };

  export class Check {
    static REQUEST_PROMPT: true;
    static NO_NEED_TO_PROMPT: false;
    constructor(reason: string, description: string, error: string, check: (ctx: KoaContextWithOIDC) => boolean | Promise<boolean>);
  }

  export interface Prompt {
    name: string;
    checks: Check[] & { add(check: Check, index?: number): void; remove(reason: string): void };
  }

  export const interactionPolicy: {
    base(): Prompt[] & { get(name: string): Prompt | undefined };
    Check: typeof Check;
  };

  export default Provider;
}
