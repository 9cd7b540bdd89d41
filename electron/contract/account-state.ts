/** AppState's accounts: the switcher, the active account, what the person may do with it, sign-in progress (see electron/contract.ts). */
import type { CommandError } from './errors';
import type { ACCOUNT_KINDS } from './vocabularies';

export type AccountStatus = 'signed_out' | 'signed_in' | 'needs_sign_in';

/**
 * How an account's session looks at a glance (the pill's colour, the tray's icon), decided by the core:
 * a session that will renew itself is 'fine'; 'expiring' only when it won't renew in time.
 */
export const ACCOUNT_GLANCES = ['fine', 'expiring', 'needs_sign_in', 'signed_out'] as const;
export type AccountGlance = (typeof ACCOUNT_GLANCES)[number];

/** Where the session's tokens live: the OS keychain, a weak (hard-coded key) store the person accepted, or memory only. */
export type TokenStorage = 'keychain' | 'weak' | 'memory';

export type AccountKind = (typeof ACCOUNT_KINDS)[number];

/** One saved account in the switcher. */
export interface AccountSummaryView {
  id: string;
  kind: AccountKind;
  label: string;
  email: string | null;
  status: AccountStatus;
  expiresAt: number | null;
  /** When the session will renew itself; null when it won't (no refresh token, refresh failing). */
  renewsAt: number | null;
  glance: AccountGlance;
  planUsage: boolean;
  active: boolean;
}

/** The active account as the renderer may see it: identity labels and times, never a token or key. */
export interface AccountView {
  id: string | null;
  kind: AccountKind | null;
  label: string | null;
  /** API base of an API-key or custom-provider account. */
  baseUrl: string | null;
  status: AccountStatus;
  email: string | null;
  name: string | null;
  /** Granted scopes, from the token response. */
  scopes: string[];
  /** True when the grant includes `chatgpt.tokens.use.direct`, so model calls may use the ChatGPT plan. */
  planUsage: boolean;
  /** When the current access token was issued and when it expires, ms since the epoch. */
  issuedAt: number | null;
  expiresAt: number | null;
  /** The session can be renewed (it has a refresh token). */
  canRefresh: boolean;
  /** When the session will renew itself (the session's own schedule); null when it won't. */
  renewsAt: number | null;
  glance: AccountGlance;
  lastRefreshAt: number | null;
  refreshing: boolean;
  /** Why the account needs attention (a failed refresh, an identity check that could not run, …). */
  problem: CommandError | null;
  storage: TokenStorage;
  /** Show the one-time "You're using your ChatGPT plan" notice. */
  showPlanWelcome: boolean;
  /** What the person may do with this account now; decided by the core, never re-derived by the renderer. */
  can: AccountAbilities;
}

/** Whether an action is open to the person now, and in words for a person why not. */
export interface Ability {
  allowed: boolean;
  reason: string | null;
}

export interface AccountAbilities {
  /** Start an analysis job with this account. */
  analyse: Ability;
  /** Start a job through the Batch API (half price, results within 24 h): only where the account's server has it. */
  batch: Ability;
  listModels: Ability;
  /** Renew the access token now. */
  refresh: Ability;
  signOut: Ability;
}

export interface SignInView {
  phase: 'idle' | 'waiting' | 'finishing';
  /** When the current attempt started and when it gives up, ms since the epoch. */
  startedAt: number | null;
  deadline: number | null;
  /** False when the system browser could not be opened: offer "Copy sign-in link". */
  browserOpened: boolean;
  /** True for an attempt that asks for consent again to enable plan usage. */
  reconsent: boolean;
  /** The outcome of the last attempt when it failed or was declined. */
  error: CommandError | null;
  /** While waiting: a response Loupe did not start (wrong or forged `state`) was ignored; the attempt still waits. */
  warning?: CommandError | null;
}
