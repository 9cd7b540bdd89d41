import { useRef } from 'react';
import type { AccountSummaryView } from '../../../electron/contract';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { ErrorText } from '../../components/ErrorText';
import { useCommand } from '../../ipc/call';
import { KIND_LABEL } from '../../state/labels';
import { selectAccounts } from '../../state/selectors';
import { useAppState } from '../../state/store';
import { useReveal } from '../../state/useReveal';
import { AddAccount } from './AddAccount';
import { SignInStart } from './SignInStart';
import styles from './ManageAccounts.module.css';
import shared from './AccountScreen.module.css';
import text from '../../styles/text.module.css';

/** Every other saved account with its actions (the active one is above), and the ways to add one. */
export function ManageAccounts() {
  const accounts = useAppState(selectAccounts);
  const heading = useRef<HTMLHeadingElement>(null);
  useReveal('manage-accounts', heading);
  const hasChatGpt = accounts.some((a) => a.kind === 'chatgpt');
  return (
    <Card aria-labelledby="accounts-title">
      <h2 id="accounts-title" ref={heading} tabIndex={-1} className={styles.heading}>
        Accounts
      </h2>
      <ul className={styles.list}>
        {accounts.map((a) => (
          <AccountRow key={a.id} account={a} />
        ))}
      </ul>
      <details>
        <summary>Add an account</summary>
        <div className={styles.add}>
          <SignInStart target={{ kind: 'chatgpt', newAccount: hasChatGpt }} />
          <AddAccount intro="Or:" />
        </div>
      </details>
    </Card>
  );
}

function AccountRow({ account: a }: { account: AccountSummaryView }) {
  const act = useCommand();
  return (
    <li className={styles.row} data-testid="account-row">
      <div className={styles.rowText}>
        <strong>{a.label}</strong> <span className={styles.badge}>{KIND_LABEL[a.kind]}</span>
        {a.active && <span className={`${styles.badge} ${styles.active}`}>in use</span>}
        <p className={text.muted}>{a.status === 'signed_in' ? 'Ready' : a.status === 'needs_sign_in' ? 'Needs sign-in' : 'Signed out'}</p>
      </div>
      {/* The account in use has its actions on the card above; one Sign out per account. */}
      {!a.active && (
        <div className={shared.actions}>
          <Button onClick={() => void act.run('accounts.switch', { accountId: a.id })}>Use</Button>
          {a.kind !== 'api_key' && a.status !== 'signed_in' && (
            <Button onClick={() => void act.run('auth.signIn', { accountId: a.id })}>Sign in</Button>
          )}
          {a.kind !== 'api_key' && a.status === 'signed_in' && (
            <Button onClick={() => void act.run('auth.signOut', { accountId: a.id })}>Sign out</Button>
          )}
          <Button variant="danger" onClick={() => void act.run('accounts.forget', { accountId: a.id })}>
            {a.kind === 'api_key' ? 'Remove' : 'Forget'}
          </Button>
        </div>
      )}
      <ErrorText error={act.error} />
    </li>
  );
}
