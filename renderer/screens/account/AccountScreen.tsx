import { selectAccount, selectSignIn } from '../../state/selectors';
import { useAppState } from '../../state/store';
import { ApiKeyAccount } from './ApiKeyAccount';
import { ManageAccounts } from './ManageAccounts';
import { SignedIn } from './SignedIn';
import { SignedOut } from './SignedOut';
import { SigningIn } from './SigningIn';
import styles from './AccountScreen.module.css';

export function AccountScreen() {
  const account = useAppState(selectAccount);
  const phase = useAppState((s) => selectSignIn(s).phase);
  const hasAccounts = useAppState((s) => s.accounts.length > 0);
  if (phase !== 'idle') {
    return (
      <section className={styles.screen}>
        <SigningIn />
      </section>
    );
  }
  const signedIn = account.status === 'signed_in';
  return (
    <section className={styles.screen} aria-labelledby="account-title">
      {!signedIn ? <SignedOut /> : account.kind === 'api_key' ? <ApiKeyAccount /> : <SignedIn />}
      {(signedIn || hasAccounts) && <ManageAccounts />}
    </section>
  );
}
