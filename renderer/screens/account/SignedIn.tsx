import { useState } from 'react';
import type { Ability } from '../../../electron/contract';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { ErrorText } from '../../components/ErrorText';
import { Notice } from '../../components/Notice';
import { useCommand } from '../../ipc/call';
import { selectAccount } from '../../state/selectors';
import { useAppState } from '../../state/store';
import { formatClock, formatCountdown, formatTime, useNow } from '../../state/time';
import { ExpiryRing } from './ExpiryRing';
import { ModelPicker } from './ModelPicker';
import { SignInStart } from './SignInStart';
import styles from './AccountScreen.module.css';
import text from '../../styles/text.module.css';

const STORAGE_LABEL = {
  keychain: 'Encrypted by your system keychain',
  weak: 'Encrypted with a weak system key (you allowed this)',
  memory: 'In memory only (ends when Loupe quits)',
} as const;

/** A ChatGPT or OAuth-provider session: who, how long it lasts, when it renews, and what it may do. */
export function SignedIn() {
  const now = useNow(1000);
  const account = useAppState(selectAccount);
  const refresh = useCommand();
  const signOut = useCommand();
  const [signOutNote, setSignOutNote] = useState<string | null>(null);
  const initial = (account.name ?? account.email ?? account.label ?? '?').slice(0, 1).toUpperCase();
  // When the session renews itself is the core's word (the session's own schedule).
  const renewsAt = account.renewsAt;
  return (
    <Card className={styles.account}>
      <div className={styles.identity}>
        <div className={styles.avatar} aria-hidden="true">
          {initial}
        </div>
        <div className={styles.who}>
          <h1 id="account-title">{account.name ?? account.email ?? account.label ?? 'Account'}</h1>
          {account.email && <p className={text.muted}>{account.email}</p>}
          <p className={styles.status} data-testid="account-status" data-status={account.status}>
            {account.kind === 'custom' ? `Signed in to ${account.label}` : 'Signed in with ChatGPT'}
          </p>
        </div>
        {account.issuedAt !== null && account.expiresAt !== null && (
          <ExpiryRing issuedAt={account.issuedAt} expiresAt={account.expiresAt} renewsAt={renewsAt} now={now} glance={account.glance} />
        )}
      </div>
      <dl className={styles.facts}>
        <div>
          <dt>Token expires</dt>
          <dd>{account.expiresAt ? `${formatClock(account.expiresAt)} (in ${formatCountdown(account.expiresAt - now)})` : 'unknown'}</dd>
        </div>
        <div>
          <dt>Renews</dt>
          <dd data-testid="last-refresh">
            {account.refreshing
              ? 'renewing now…'
              : renewsAt
                ? `automatically at ${formatClock(renewsAt)}`
                : account.canRefresh
                  ? 'renewing is failing: Loupe keeps trying'
                  : 'cannot renew: sign in again when it expires'}
            {account.lastRefreshAt ? ` · last ${formatTime(account.lastRefreshAt)}` : ''}
          </dd>
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
      </dl>
      <details>
        <summary>Details: granted scopes</summary>
        <div className={styles.chips}>
          {account.scopes.map((scope) => (
            <span key={scope} className={styles.chip}>
              {scope}
            </span>
          ))}
        </div>
      </details>
      {account.problem && (
        <Notice level="warning" role="status">
          {account.problem.message}
        </Notice>
      )}
      {account.can.listModels.allowed ? (
        <ModelPicker showPlan={account.kind === 'chatgpt' && account.planUsage} />
      ) : (
        <Notice level="info" testId="cannot-list-models">
          <p>
            <strong>{account.can.listModels.reason}</strong>
          </p>
          {account.kind === 'chatgpt' && !account.planUsage && <SignInStart target={{ kind: 'chatgpt', reconsent: true }} />}
        </Notice>
      )}
      <div className={styles.actions}>
        <AbilityButton
          ability={account.can.refresh}
          busy={refresh.busy || account.refreshing}
          onClick={() => void refresh.run('auth.refreshNow', {})}
        >
          Renew now
        </AbilityButton>
        <AbilityButton
          ability={account.can.signOut}
          busy={signOut.busy}
          danger
          onClick={() =>
            void signOut.run('auth.signOut', {}).then((result) => {
              if (result && !result.revoked)
                setSignOutNote(
                  'Signed out on this computer, but the server did not confirm it. You can disconnect Loupe in ChatGPT Settings → Security.',
                );
            })
          }
        >
          Sign out
        </AbilityButton>
      </div>
      <ErrorText error={refresh.error ?? signOut.error} />
      {signOutNote && <Notice level="warning">{signOutNote}</Notice>}
    </Card>
  );
}

/** A button the core may refuse: disabled with its reason beside it, so the person knows why. */
export function AbilityButton({
  ability,
  busy,
  danger,
  onClick,
  children,
}: {
  ability: Ability;
  busy: boolean;
  danger?: boolean;
  onClick: () => void;
  children: string;
}) {
  return (
    <span className={styles.ability}>
      <Button variant={danger ? 'danger' : 'default'} disabled={!ability.allowed || busy} onClick={onClick} title={ability.reason ?? undefined}>
        {children}
      </Button>
      {!ability.allowed && ability.reason && <span className={text.fineprint}>{ability.reason}</span>}
    </span>
  );
}
