/**
 * Every saved account (ChatGPT sign-ins, API keys, custom OAuth providers),
 * which one is active, and how each one authenticates API calls. A session
 * object per OAuth account, so a job keeps using its own account while the
 * person switches.
 */
import type { AccountSummaryView, AccountView, CommandError } from '../../contract';
import { accountGlance } from './expiry-warning';
import { abilities, planUsage } from './readiness';
import type { Endpoints } from '../oauth/endpoints';
import type { Discovery } from '../oauth/discovery';
import { chatgptProfile, customProfile, type OAuthProfile } from '../oauth/profile';
import type { Clock, Logger } from '../kernel/deps';
import { LoupeError } from '../kernel/errors';
import { type AccountAccess, apiKeyAccess, oauthAccess } from './account-access';
import { accountStatus, labelOf, withoutCredentials } from './account-label';
import type { CustomProvider } from '../oauth/provider-config';
import { Session } from './session';
import type { AccountRepository } from './repository';
import { type Account, type ApiKeyAccount, type CustomAccount, type OAuthAccount, isOAuthAccount, newAccountId } from './vault/vault-schema';

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
  /** A refresh settled: see SessionDeps.onSettled. */
  onSettled(): void;
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
        onSettled: this.deps.onSettled,
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
      return apiKeyAccess(account, () => {
        const current = this.get(id);
        return current?.kind === 'api_key' ? current : undefined;
      });
    }
    return oauthAccess(account, this.session(id), this.deps.endpoints);
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
    return accountStatus(account);
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
