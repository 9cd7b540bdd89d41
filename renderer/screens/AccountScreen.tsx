import { useState } from 'react';
import type { AppState } from '../../electron/contract';
import { useCommand } from '../api';
import { ExpiryRing } from '../components/ExpiryRing';
import { ManageAccounts } from '../components/ManageAccounts';
import { ModelPicker } from '../components/ModelPicker';
import { formatCountdown, formatTime, useNow } from '../hooks';
import { ErrorText } from '../components/ErrorText';

export function AccountScreen({ state }: { state: AppState }) {
  const { account, signIn } = state;
  return (
    <>
      {signIn.phase !== 'idle' ? (
        <SigningIn state={state} />
      ) : account.status === 'signed_in' ? (
        account.kind === 'api_key' ? (
          <ApiKeyAccount state={state} />
        ) : (
          <SignedIn state={state} />
        )
      ) : (
        <SignedOut state={state} />
      )}
      {signIn.phase === 'idle' && (state.accounts.length > 0 || account.status === 'signed_in') && (
        <section className="screen">
          <ManageAccounts state={state} />
        </section>
      )}
    </>
  );
}

function ApiKeyAccount({ state }: { state: AppState }) {
  const { account } = state;
  const remove = useCommand();
  return (
    <section className="screen" aria-labelledby="account-title">
      <div className="card account">
        <h1 id="account-title">{account.label}</h1>
        <p className="account-status" data-status={account.status}>
          API key account
        </p>
        <dl className="facts">
          <div>
            <dt>Server</dt>
            <dd>{account.baseUrl}</dd>
          </div>
          <div>
            <dt>Key</dt>
            <dd>Stored encrypted; never shown</dd>
          </div>
        </dl>
        <ModelPicker models={state.models} showPlan={false} />
        <div className="actions">
          <button type="button" className="button button-danger" onClick={() => void remove.run('accounts.forget', { accountId: account.id! })}>
            Remove key
          </button>
        </div>
      </div>
    </section>
  );
}

/** Starts a sign-in: ChatGPT by default, a saved provider with `accountId`, re-consent with `reconsent`. */
function SignInButton({ label = 'Continue with ChatGPT', ...target }: { label?: string; reconsent?: boolean; accountId?: string }) {
  const { run, busy, error } = useCommand();
  return (
    <div className="stack">
      <button type="button" className="button button-primary button-large" disabled={busy} onClick={() => void run('auth.signIn', target)}>
        {label}
      </button>
      <ErrorText error={error} />
    </div>
  );
}

function SignedOut({ state }: { state: AppState }) {
  const { account, signIn } = state;
  const needsSignIn = account.status === 'needs_sign_in';
  return (
    <section className="screen" aria-labelledby="account-title">
      <div className="hero card">
        <h1 id="account-title">{needsSignIn ? 'Sign in again' : `Welcome to ${state.app.name}`}</h1>
        {needsSignIn ? (
          <p className="notice-inline notice-warning" role="alert">
            {account.problem?.message ?? 'Your ChatGPT session ended. Please sign in again.'}
          </p>
        ) : (
          <p className="muted">
            Sign in with your ChatGPT account, drop photos onto this window, and get a structured analysis of each one written to disk.
          </p>
        )}
        <p className="account-status" data-status={account.status}>
          {needsSignIn ? `${account.email ?? 'Your account'} needs to sign in again` : 'Not signed in'}
        </p>
        {signIn.error && (
          <div className="notice-inline notice-error" role="alert" data-testid="sign-in-error">
            {signIn.error.message}
          </div>
        )}
        {account.kind === 'custom' ? <SignInButton accountId={account.id!} label={`Sign in to ${account.label ?? 'provider'}`} /> : <SignInButton />}
        <p className="fineprint muted">Loupe opens your browser to sign in. Your password never passes through Loupe.</p>
      </div>
    </section>
  );
}

function SigningIn({ state }: { state: AppState }) {
  const now = useNow(500);
  const { signIn } = state;
  const cancel = useCommand();
  const copy = useCommand();
  const paste = useCommand();
  const [copied, setCopied] = useState(false);
  const [pasted, setPasted] = useState('');
  const remaining = (signIn.deadline ?? now) - now;
  return (
    <section className="screen" aria-labelledby="signing-in-title">
      <div className="card signing-in">
        <h1 id="signing-in-title">{signIn.phase === 'finishing' ? 'Finishing sign-in…' : 'Continue in your browser'}</h1>
        {signIn.browserOpened || signIn.phase === 'finishing' ? (
          <p className="muted">Approve Loupe in the browser window that just opened, then come back here.</p>
        ) : (
          <p className="notice-inline notice-warning" role="status">
            Loupe could not open your browser. Copy the sign-in link and open it in a browser yourself.
          </p>
        )}
        <div className="countdown" aria-live="polite">
          <span>Waiting for the browser</span>
          <strong data-testid="sign-in-countdown">{formatCountdown(remaining)}</strong>
        </div>
        <progress className="bar" max={1} value={signIn.deadline && signIn.startedAt ? Math.max(0, remaining) / Math.max(1, signIn.deadline - signIn.startedAt) : 0} aria-hidden="true" />
        <div className="actions">
          <button type="button" className="button" onClick={() => void cancel.run('auth.cancelSignIn', {})}>
            Cancel
          </button>
          <button
            type="button"
            className={signIn.browserOpened ? 'button' : 'button button-primary'}
            onClick={() => void copy.run('auth.copySignInLink', {}).then(() => setCopied(true))}
          >
            {copied ? 'Link copied' : 'Copy sign-in link'}
          </button>
        </div>
        <details className="paste">
          <summary>Signing in on another computer?</summary>
          <p className="muted">After approving, your browser ends on a page that cannot load. Copy that page's full address and paste it here.</p>
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              void paste.run('auth.submitRedirectUrl', { url: pasted.trim() });
            }}
          >
            <input
              aria-label="Redirect URL"
              placeholder="http://127.0.0.1:…/auth/callback?code=…"
              value={pasted}
              onChange={(e) => setPasted(e.target.value)}
              spellCheck={false}
              autoComplete="off"
            />
            <button type="submit" className="button" disabled={!pasted.trim()}>
              Submit
            </button>
          </form>
          <ErrorText error={paste.error} />
        </details>
      </div>
    </section>
  );
}

function SignedIn({ state }: { state: AppState }) {
  const now = useNow(1000);
  const { account } = state;
  const refresh = useCommand();
  const signOut = useCommand();
  const [signOutNote, setSignOutNote] = useState<string | null>(null);
  const initial = (account.name ?? account.email ?? '?').slice(0, 1).toUpperCase();
  return (
    <section className="screen" aria-labelledby="account-title">
      <div className="card account">
        <div className="identity">
          <div className="avatar" aria-hidden="true">
            {initial}
          </div>
          <div>
            <h1 id="account-title">{account.name ?? account.email ?? account.label ?? 'Account'}</h1>
            {account.email && <p className="muted">{account.email}</p>}
            <p className="account-status" data-status={account.status}>
              {account.kind === 'custom' ? `Signed in to ${account.label}` : 'Signed in with ChatGPT'}
            </p>
          </div>
          {account.issuedAt !== null && account.expiresAt !== null && (
            <ExpiryRing issuedAt={account.issuedAt} expiresAt={account.expiresAt} now={now} warningMs={state.settings.expiryWarningMinutes * 60_000} />
          )}
        </div>
        <dl className="facts">
          <div>
            <dt>Token expires</dt>
            <dd>{account.expiresAt ? `${formatTime(account.expiresAt)} (in ${formatCountdown(account.expiresAt - now)})` : 'unknown'}</dd>
          </div>
          <div>
            <dt>Last refresh</dt>
            <dd data-testid="last-refresh">{account.refreshing ? 'refreshing…' : formatTime(account.lastRefreshAt)}</dd>
          </div>
          {account.kind === 'chatgpt' ? (
            <div>
              <dt>ChatGPT plan usage</dt>
              <dd>{account.planUsage ? 'On' : 'Off'}</dd>
            </div>
          ) : (
            <div>
              <dt>API</dt>
              <dd>{account.baseUrl}</dd>
            </div>
          )}
          <div>
            <dt>Stored</dt>
            <dd>{STORAGE_LABEL[account.storage]}</dd>
          </div>
          <div className="wide">
            <dt>Granted scopes</dt>
            <dd className="chips">
              {account.scopes.map((scope) => (
                <span key={scope} className="chip">
                  {scope}
                </span>
              ))}
            </dd>
          </div>
        </dl>
        {account.problem && (
          <p className="notice-inline notice-warning" role="status">
            {account.problem.message}
          </p>
        )}
        {account.kind !== 'chatgpt' ? (
          <ModelPicker models={state.models} showPlan={false} />
        ) : account.planUsage ? (
          <ModelPicker models={state.models} />
        ) : (
          <div className="notice-inline notice-info">
            <p>
              <strong>ChatGPT plan usage is off.</strong> You are signed in, but Loupe will not send requests on your plan. Enable it, or use an
              API key instead.
            </p>
            <SignInButton reconsent label="Enable ChatGPT plan usage" />
          </div>
        )}
        <div className="actions">
          {account.canRefresh && (
            <button type="button" className="button" disabled={refresh.busy || account.refreshing} onClick={() => void refresh.run('auth.refreshNow', {})}>
              Refresh now
            </button>
          )}
          <button
            type="button"
            className="button button-danger"
            disabled={signOut.busy}
            onClick={() =>
              void signOut.run('auth.signOut', {}).then((result) => {
                if (result && !result.revoked) setSignOutNote('Signed out on this computer, but ChatGPT did not confirm it. You can disconnect Loupe in ChatGPT Settings → Security.');
              })
            }
          >
            Sign out
          </button>
        </div>
        <ErrorText error={refresh.error ?? signOut.error} />
        {signOutNote && <p className="notice-inline notice-warning">{signOutNote}</p>}
      </div>
    </section>
  );
}

const STORAGE_LABEL = {
  keychain: 'Encrypted by your system keychain',
  weak: 'Encrypted with a weak system key (you allowed this)',
  memory: 'In memory only (ends when Loupe quits)',
} as const;
