import { selectAccount, selectSignIn } from '../../state/selectors';
import { useAppState } from '../../state/store';
import { ApiKeyAccount } from './ApiKeyAccount';
import { ManageAccounts } from './ManageAccounts';
import { SignedIn } from './SignedIn';
import { SignedOut } from './SignedOut';
import { SigningIn } from './SigningIn';
import { Screen } from '../../components/Screen';

export function AccountScreen() {
  const account = useAppState(selectAccount);
  const phase = useAppState((s) => selectSignIn(s).phase);
  const hasAccounts = useAppState((s) => s.accounts.length > 0);
  if (phase !== 'idle') {
    return (
      <Screen>
        <SigningIn />
      </Screen>
    );
  }
  const signedIn = account.status === 'signed_in';
  return (
    <Screen labelledBy="account-title">
      {!signedIn ? <SignedOut /> : account.kind === 'api_key' ? <ApiKeyAccount /> : <SignedIn />}
      {(signedIn || hasAccounts) && <ManageAccounts />}
    </Screen>
  );
}
