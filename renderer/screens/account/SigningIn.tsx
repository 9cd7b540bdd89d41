import { useState } from 'react';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { ErrorText } from '../../components/ErrorText';
import { Notice } from '../../components/Notice';
import { useCommand } from '../../ipc/call';
import { selectSignIn } from '../../state/selectors';
import { useAppState } from '../../state/store';
import { formatCountdown, useNow } from '../../state/time';
import styles from './AccountScreen.module.css';
import text from '../../styles/text.module.css';

export function SigningIn() {
  const now = useNow(500);
  const signIn = useAppState(selectSignIn);
  const cancel = useCommand();
  const copy = useCommand();
  const paste = useCommand();
  const [copied, setCopied] = useState(false);
  const [pasted, setPasted] = useState('');
  const remaining = (signIn.deadline ?? now) - now;
  const span = signIn.deadline && signIn.startedAt ? signIn.deadline - signIn.startedAt : 1;
  return (
    <Card aria-labelledby="signing-in-title">
      <h1 id="signing-in-title">{signIn.phase === 'finishing' ? 'Finishing sign-in…' : 'Continue in your browser'}</h1>
      {signIn.browserOpened || signIn.phase === 'finishing' ? (
        <p className={text.muted}>Approve Loupe in the browser window that just opened, then come back here.</p>
      ) : (
        <Notice level="warning" role="status">
          Loupe could not open your browser. Copy the sign-in link and open it in a browser yourself.
        </Notice>
      )}
      {signIn.warning && (
        <Notice level="warning" role="alert">
          {signIn.warning.message}
        </Notice>
      )}
      <p className={styles.countdown}>
        <span>Waiting for the browser</span> <strong data-testid="sign-in-countdown">{formatCountdown(remaining)}</strong>
      </p>
      <progress className={styles.bar} max={1} value={Math.max(0, remaining) / Math.max(1, span)} aria-label="Time left to finish signing in" />
      <div className={styles.actions}>
        <Button onClick={() => void cancel.run('auth.cancelSignIn', {})}>Cancel</Button>
        <Button
          variant={signIn.browserOpened ? 'default' : 'primary'}
          onClick={() => void copy.run('auth.copySignInLink', {}).then((r) => setCopied(r !== undefined))}
        >
          {copied ? 'Link copied' : 'Copy sign-in link'}
        </Button>
      </div>
      <ErrorText error={cancel.error ?? copy.error} />
      <details>
        <summary>Signing in on another computer?</summary>
        <p className={text.muted}>After approving, your browser ends on a page that cannot load. Copy that page's full address and paste it here.</p>
        <form
          className={styles.actions}
          onSubmit={(e) => {
            e.preventDefault();
            void paste.run('auth.submitRedirectUrl', { url: pasted.trim() });
          }}
        >
          <input
            className={styles.grow}
            aria-label="Redirect URL"
            placeholder="http://127.0.0.1:…/auth/callback?code=…"
            value={pasted}
            onChange={(e) => setPasted(e.target.value)}
            spellCheck={false}
            autoComplete="off"
          />
          <Button type="submit" disabled={!pasted.trim()}>
            Submit
          </Button>
        </form>
        <ErrorText error={paste.error} />
      </details>
    </Card>
  );
}
