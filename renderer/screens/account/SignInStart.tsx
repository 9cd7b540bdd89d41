import { ErrorText } from '../../components/ErrorText';
import { useCommand } from '../../ipc/call';
import { Button } from '../../components/Button';
import { ContinueWithChatGpt } from './ContinueWithChatGpt';
import styles from './AccountScreen.module.css';

/** Starts a sign-in: ChatGPT (new or re-consent) or a saved provider by id, and shows why it could not start. */
export function SignInStart({
  target,
}: {
  target: { kind: 'chatgpt'; reconsent?: boolean; newAccount?: boolean } | { kind: 'custom'; accountId: string; label: string };
}) {
  const { run, busy, error } = useCommand();
  return (
    <div className={styles.stack}>
      {target.kind === 'chatgpt' ? (
        <ContinueWithChatGpt
          label={target.reconsent ? 'Enable ChatGPT plan usage' : 'Continue with ChatGPT'}
          disabled={busy}
          onClick={() =>
            void run('auth.signIn', { ...(target.reconsent ? { reconsent: true } : {}), ...(target.newAccount ? { newChatGptAccount: true } : {}) })
          }
        />
      ) : (
        <Button variant="primary" large disabled={busy} onClick={() => void run('auth.signIn', { accountId: target.accountId })}>
          Sign in to {target.label}
        </Button>
      )}
      <ErrorText error={error} />
    </div>
  );
}
