/** AppState, the one snapshot the renderer sees, and its app-wide parts: settings, notices, app info, links (see electron/contract.ts). */
import type { AccountSummaryView, AccountView, SignInView } from './account-state';
import type { AnalysisView, ImageDetail } from './analysis-state';
import type { ModelsView } from './model-state';
import type { ConcurrencySetting } from './concurrency';
import type { THEMES } from './vocabularies';

// ---------------------------------------------------------------------------
// State

export type Theme = (typeof THEMES)[number];

export interface SettingsView {
  theme: Theme;
  /** Tray shows "expiring soon" when fewer minutes than this remain. */
  expiryWarningMinutes: number;
  /** Refresh the access token this many seconds before it expires. */
  refreshMarginSeconds: number;
  /** Store tokens with Linux's hard-coded-key backend after an explicit warning. */
  allowWeakStorage: boolean;
  /** Fixed loopback port for the sign-in redirect; 0 = pick a free one. */
  callbackPort: number;
  /** Minutes to wait for the browser sign-in before giving up. */
  signInTimeoutMinutes: number;
  /** 'auto': as many requests at once as the server's rate × latency allows; a number: at most that many. */
  analysisConcurrency: ConcurrencySetting;
  analysisDetail: ImageDetail;
  /** USD per million tokens, for the cost estimate; models without a row show tokens only. */
  prices: PriceRow[];
}

export interface PriceRow {
  model: string;
  inputPerMillion: number;
  outputPerMillion: number;
}

export interface Notice {
  id: string;
  level: 'info' | 'warning' | 'error';
  message: string;
  /** Buttons the window shows with the notice; each runs a command with empty input. */
  actions?: NoticeAction[];
}

export interface NoticeAction {
  label: string;
  command: 'accounts.retryKeychain' | 'accounts.resetVault';
}

export interface AppInfo {
  name: string;
  version: string;
  platform: string;
  /** True for unpackaged (development) builds. */
  dev: boolean;
  /** Set when a non-production issuer is in use; the window shows a badge. */
  testIssuer: string | null;
}

/** Pages the person may be sent to; sent in state so no second copy of a URL lives in the renderer. */
export interface AppLinks {
  manageUsage: string;
}

/** The single snapshot the main process publishes to the renderer. */
export interface AppState {
  app: AppInfo;
  accounts: AccountSummaryView[];
  account: AccountView;
  signIn: SignInView;
  models: ModelsView;
  analysis: AnalysisView;
  settings: SettingsView;
  notices: Notice[];
  links: AppLinks;
  /** Set when a job stopped on the ChatGPT usage limit, until that account works again. */
  usageLimit: UsageLimitView | null;
}

export interface UsageLimitView {
  accountId: string;
  message: string;
  link: { label: string; url: string };
}
