import { useRef } from 'react';
import { Card } from '../../components/Card';
import { Notice } from '../../components/Notice';
import { selectAccount, selectSignIn } from '../../state/selectors';
import { useAppState } from '../../state/store';
import { useReveal } from '../../state/useReveal';
import { AddAccount } from './AddAccount';
import { SignInStart } from './SignInStart';
import styles from './AccountScreen.module.css';
import text from '../../styles/text.module.css';

/** The first screen: ChatGPT first, an API key or any OAuth provider as the other ways in. */
export function SignedOut() {
  const account = useAppState(selectAccount);
  const signIn = useAppState(selectSignIn);
  const appName = useAppState((s) => s.app.name);
  const hasAccounts = useAppState((s) => s.accounts.length > 0);
  const heading = useRef<HTMLHeadingElement>(null);
  // With no account saved, "Add or manage accounts…" lands here.
  useReveal('manage-accounts', heading, !hasAccounts);
  const needsSignIn = account.status === 'needs_sign_in';
  return (
    <Card>
      <h1 id="account-title" ref={heading} tabIndex={-1}>
        {needsSignIn ? 'Sign in again' : `Welcome to ${appName}`}
      </h1>
      {needsSignIn ? (
        <Notice level="warning" role="alert">
          {account.problem?.message ?? 'Your session ended. Please sign in again.'}
        </Notice>
      ) : (
        <p className={text.muted}>Sign in, drop photos onto this window, and get a structured analysis of each one written to disk.</p>
      )}
      <p className={styles.status} data-testid="account-status" data-status={account.status}>
        {needsSignIn ? `${account.email ?? account.label ?? 'Your account'} needs to sign in again` : 'Not signed in'}
      </p>
      {signIn.error && (
        <Notice level="error" role="alert" testId="sign-in-error">
          {signIn.error.message}
        </Notice>
      )}
      {needsSignIn && account.kind === 'custom' && account.id ? (
        <SignInStart target={{ kind: 'custom', accountId: account.id, label: account.label ?? 'provider' }} />
      ) : (
        <SignInStart target={{ kind: 'chatgpt' }} />
      )}
      <p className={text.fineprint}>Loupe opens your browser to sign in. Your password never passes through Loupe.</p>
      <AddAccount intro="Or use another account:" />
    </Card>
  );
}
