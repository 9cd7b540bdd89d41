/**
 * Every saved account (ChatGPT sign-ins, API keys, custom OAuth providers),
 * which one is active, and how each one authenticates API calls. A session
 * object per OAuth account, so a job keeps using its own account while the
 * person switches.
 */
import { z } from 'zod';
import type { AccountKind, AccountSummaryView, AccountView, CommandError } from '../../contract';
import { accountGlance } from './glance';
import { abilities, planUsage } from './readiness';
import type { Endpoints } from '../auth/endpoints';
import type { Discovery } from '../auth/discovery';
import { checkProviderUrl, chatgptProfile, customProfile, type OAuthProfile } from '../auth/profile';
import type { Clock, Logger } from '../kernel/deps';
import { LoupeError } from '../kernel/errors';
import { withoutTrailingSlash } from '../kernel/urls';
import { Session } from './session';
import type { AccountRepository } from './repository';
import {
  type Account,
  type ApiKeyAccount,
  type CustomAccount,
  type CustomProvider,
  type OAuthAccount,
  isOAuthAccount,
  newAccountId,
} from './vault-schema';

/** How an account's API calls authenticate and which wire rules apply. */
export interface AccountAccess {
  id: string;
  kind: AccountKind;
  label: string;
  apiBase: URL;
  /** Send analyses through Chat Completions (servers without /v1/responses). */
  useChatCompletions: boolean;
  /** ChatGPT plan rules apply (store:false, stream:true, no unsupported fields). */
  planRules: boolean;
  accessToken(): Promise<string>;
  afterUnauthorized(failedToken: string): Promise<string>;
}

export interface AccountsDeps {
  records: AccountRepository;
  endpoints: Endpoints;
  discovery: Discovery;
  fetch: typeof fetch;
  clock: Clock;
  log: Logger;
  marginMs(): number;
  /** `expiryWarningMinutes` in ms: when a session that won't renew shows as expiring. */
  warningMs(): number;
  onChange(): void;
}

export class Accounts {
  readonly #sessions = new Map<string, Session>();

  constructor(private readonly deps: AccountsDeps) {}

  list(): Account[] {
    return this.deps.records.list();
  }

  active(): Account | undefined {
    return this.deps.records.active();
  }

  get(id: string): Account | undefined {
    return this.deps.records.get(id);
  }

  /** The account a command names, or the active one. */
  target(accountId: string | undefined): string {
    const id = accountId ?? this.active()?.id;
    if (!id) throw new LoupeError('signed_out', 'Sign in first.');
    return id;
  }

  require(id: string): Account {
    const account = this.get(id);
    if (!account) throw new LoupeError('unknown_account', 'That account no longer exists.');
    return account;
  }

  profile(account: OAuthAccount): OAuthProfile {
    return account.kind === 'chatgpt'
      ? chatgptProfile(this.deps.endpoints, this.deps.discovery, this.deps.fetch, this.deps.clock)
      : customProfile(account, this.deps.fetch, this.deps.clock);
  }

  session(id: string): Session {
    let session = this.#sessions.get(id);
    if (!session) {
      session = new Session({
        accountId: id,
        records: this.deps.records,
        profile: (account) => this.profile(account),
        clock: this.deps.clock,
        log: this.deps.log,
        marginMs: this.deps.marginMs,
        onChange: this.deps.onChange,
      });
      this.#sessions.set(id, session);
    }
    return session;
  }

  /** Starts refresh timers for every signed-in OAuth account (after start-up or a sign-in). */
  scheduleAll(): void {
    for (const account of this.list()) if (isOAuthAccount(account)) this.session(account.id).schedule();
  }

  access(id: string): AccountAccess {
    const account = this.require(id);
    if (account.kind === 'api_key') {
      return {
        id,
        kind: 'api_key',
        label: account.label,
        apiBase: new URL(account.baseUrl),
        useChatCompletions: account.useChatCompletions,
        planRules: false,
        accessToken: async () => {
          const current = this.get(id);
          if (current?.kind !== 'api_key') throw new LoupeError('unknown_account', 'That account no longer exists.');
          return current.apiKey;
        },
        afterUnauthorized: async () => {
          throw new LoupeError('invalid_api_key', `The server no longer accepts the API key of ${account.label}. Add it again with a valid key.`);
        },
      };
    }
    const session = this.session(id);
    return {
      id,
      kind: account.kind,
      label: labelOf(account),
      apiBase: account.kind === 'chatgpt' ? this.deps.endpoints.apiBase : new URL(account.provider.apiBase),
      useChatCompletions: account.kind === 'custom' ? account.provider.useChatCompletions : false,
      planRules: account.kind === 'chatgpt',
      accessToken: () => session.accessToken(),
      afterUnauthorized: (token) => session.afterUnauthorized(token),
    };
  }

  async switchTo(id: string): Promise<void> {
    this.require(id);
    await this.deps.records.switchTo(id);
    this.deps.onChange();
  }

  async addApiKey(input: { label: string; baseUrl: string; apiKey: string; useChatCompletions: boolean }): Promise<string> {
    const id = newAccountId();
    const account: ApiKeyAccount = { id, kind: 'api_key', createdAt: this.deps.clock.now(), ...input };
    await this.deps.records.add(account, { activate: true });
    this.deps.onChange();
    return id;
  }

  async addCustom(label: string, provider: CustomProvider): Promise<string> {
    const id = newAccountId();
    const account: CustomAccount = {
      id,
      kind: 'custom',
      label,
      provider,
      subject: null,
      email: null,
      name: null,
      registeredAt: this.deps.clock.now(),
      lastRefreshAt: null,
    };
    await this.deps.records.add(account, { activate: false });
    this.deps.onChange();
    return id;
  }

  /** Sign out: revoke and delete tokens (an API key is simply removed). */
  async signOut(id: string): Promise<{ revoked: boolean }> {
    const account = this.require(id);
    if (account.kind === 'api_key') {
      await this.forget(id);
      return { revoked: true };
    }
    const result = await this.session(id).signOut();
    this.deps.onChange();
    return result;
  }

  /** Forget: sign out, then delete the saved registration too. */
  async forget(id: string): Promise<{ revoked: boolean }> {
    const account = this.require(id);
    const result = isOAuthAccount(account) ? await this.session(id).signOut() : { revoked: true };
    this.#sessions.get(id)?.dispose();
    this.#sessions.delete(id);
    await this.deps.records.forget(id);
    this.deps.onChange();
    return result;
  }

  status(account: Account | undefined): AccountView['status'] {
    if (!account) return 'signed_out';
    if (account.kind === 'api_key') return account.problem ? 'needs_sign_in' : 'signed_in';
    if (account.tokens || account.pendingRefresh) return 'signed_in';
    return account.problem ? 'needs_sign_in' : 'signed_out';
  }

  summaries(): AccountSummaryView[] {
    const activeId = this.deps.records.activeId;
    return this.list().map((account) => ({
      id: account.id,
      kind: account.kind,
      label: labelOf(account),
      email: account.kind === 'api_key' ? null : account.email,
      status: this.status(account),
      expiresAt: isOAuthAccount(account) ? (account.tokens?.expiresAt ?? null) : null,
      ...this.#glance(account),
      planUsage: planUsage(account),
      active: account.id === activeId,
    }));
  }

  /** When the session renews itself and how it looks at a glance (accounts/glance.ts decides). */
  #glance(account: Account | undefined): Pick<AccountView, 'renewsAt' | 'glance'> {
    const renewsAt = isOAuthAccount(account) ? this.session(account.id).renewsAt() : null;
    const expiresAt = isOAuthAccount(account) ? (account.tokens?.expiresAt ?? null) : null;
    return { renewsAt, glance: accountGlance({ status: this.status(account), expiresAt, renewsAt }, this.deps.clock.now(), this.deps.warningMs()) };
  }

  view(storage: AccountView['storage']): AccountView {
    const account = this.active();
    const oauthAccount = isOAuthAccount(account) ? account : undefined;
    const tokens = oauthAccount?.tokens;
    const session = oauthAccount ? this.session(oauthAccount.id) : undefined;
    const status = this.status(account);
    const plan = planUsage(account);
    const problem: CommandError | null = account?.problem ?? session?.transientProblem ?? null;
    return {
      id: account?.id ?? null,
      kind: account?.kind ?? null,
      label: account ? labelOf(account) : null,
      baseUrl: withoutCredentials(account?.kind === 'api_key' ? account.baseUrl : account?.kind === 'custom' ? account.provider.apiBase : null),
      status,
      email: oauthAccount?.email ?? null,
      name: oauthAccount?.name ?? null,
      scopes: tokens?.scopes ?? [],
      planUsage: plan,
      issuedAt: tokens?.savedAt ?? null,
      expiresAt: tokens?.expiresAt ?? null,
      canRefresh: Boolean(tokens?.refreshToken),
      ...this.#glance(account),
      lastRefreshAt: oauthAccount?.lastRefreshAt ?? null,
      refreshing: session?.refreshing ?? false,
      problem,
      storage,
      showPlanWelcome: account?.kind === 'chatgpt' && status === 'signed_in' && plan && !account.welcomeShown,
      can: abilities(account, status),
    };
  }

  dispose(): void {
    for (const session of this.#sessions.values()) session.dispose();
  }
}

export function labelOf(account: Account): string {
  if (account.kind === 'chatgpt') return account.email ?? account.name ?? 'ChatGPT account';
  return account.label;
}

/** Parses the "add custom provider" form into a provider config, refusing insecure or incomplete ones. */
export function parseCustomProvider(input: {
  issuer?: string | undefined;
  authorizationEndpoint?: string | undefined;
  tokenEndpoint?: string | undefined;
  revocationEndpoint?: string | undefined;
  jwksUri?: string | undefined;
  clientId: string;
  clientSecret?: string | undefined;
  clientAuthMethod?: 'none' | 'client_secret_basic' | 'client_secret_post' | undefined;
  scopes: string;
  extraParams?: Record<string, string> | undefined;
  apiBase: string;
  useChatCompletions?: boolean | undefined;
}): CustomProvider {
  const trimmed = (v: string | undefined) => (v && v.trim() !== '' ? v.trim() : undefined);
  const issuer = trimmed(input.issuer);
  const authorizationEndpoint = trimmed(input.authorizationEndpoint);
  const tokenEndpoint = trimmed(input.tokenEndpoint);
  if (!issuer && !(authorizationEndpoint && tokenEndpoint)) {
    throw new LoupeError('invalid_provider', 'Give either an issuer URL (for discovery) or both the authorization and token endpoints.', {
      field: 'issuer',
    });
  }
  for (const [value, what] of [
    [issuer, 'Issuer URL'],
    [authorizationEndpoint, 'Authorization endpoint'],
    [tokenEndpoint, 'Token endpoint'],
    [trimmed(input.revocationEndpoint), 'Revocation endpoint'],
    [trimmed(input.jwksUri), 'JWKS URL'],
    [input.apiBase, 'API base URL'],
  ] as const) {
    if (value) checkProviderUrl(value, what);
  }
  const secret = trimmed(input.clientSecret);
  const scopes = input.scopes.split(/\s+/).filter(Boolean);
  return {
    ...(issuer ? { issuer } : {}),
    ...(authorizationEndpoint ? { authorizationEndpoint } : {}),
    ...(tokenEndpoint ? { tokenEndpoint } : {}),
    ...(trimmed(input.revocationEndpoint) ? { revocationEndpoint: trimmed(input.revocationEndpoint) } : {}),
    ...(trimmed(input.jwksUri) ? { jwksUri: trimmed(input.jwksUri) } : {}),
    clientId: input.clientId.trim(),
    ...(secret ? { clientSecret: secret } : {}),
    clientAuthMethod: secret
      ? input.clientAuthMethod && input.clientAuthMethod !== 'none'
        ? input.clientAuthMethod
        : 'client_secret_basic'
      : 'none',
    scopes,
    extraParams: z.record(z.string(), z.string()).parse(input.extraParams ?? {}),
    apiBase: withoutTrailingSlash(input.apiBase.trim()),
    useChatCompletions: input.useChatCompletions ?? false,
  };
}

/** An API base as shown: never with a user name or password (accounts saved before those were refused may hold one). */
function withoutCredentials(raw: string | null): string | null {
  if (raw === null) return null;
  try {
    const url = new URL(raw);
    if (!url.username && !url.password) return raw;
    url.username = '';
    url.password = '';
    return url.href.replace(/\/$/, '');
  } catch {
    return null;
  }
}
