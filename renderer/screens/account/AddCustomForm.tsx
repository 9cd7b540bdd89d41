import { useState } from 'react';
import { Button } from '../../components/Button';
import { ErrorText } from '../../components/ErrorText';
import { Check, Field } from '../../components/Field';
import { useCommand } from '../../ipc/call';
import { urlProblem } from './AddApiKeyForm';
import styles from './AccountScreen.module.css';

/** Saves a custom OAuth 2.0 / OIDC provider and starts its sign-in in the browser. */
export function AddCustomForm({ onDone }: { onDone: () => void }) {
  const [f, setF] = useState({
    label: '',
    issuer: '',
    authorizationEndpoint: '',
    tokenEndpoint: '',
    revocationEndpoint: '',
    clientId: '',
    clientSecret: '',
    scopes: 'openid profile email offline_access',
    extra: '',
    apiBase: '',
    chat: false,
  });
  const [explicit, setExplicit] = useState(false);
  const { run, busy, error } = useCommand();
  const set = (key: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [key]: e.target.value });
  const typed = (value: string) => (value.trim() ? urlProblem(value) : null);
  const extraParams = Object.fromEntries(
    f.extra
      .split('\n')
      .map((line) => line.split('=').map((p) => p.trim()))
      .filter((p): p is [string, string] => p.length === 2 && p[0] !== ''),
  );
  return (
    <form
      className={styles.form}
      aria-label="Add an OAuth provider"
      onSubmit={(e) => {
        e.preventDefault();
        void run('accounts.addCustom', {
          label: f.label,
          ...(explicit
            ? { authorizationEndpoint: f.authorizationEndpoint, tokenEndpoint: f.tokenEndpoint, revocationEndpoint: f.revocationEndpoint }
            : { issuer: f.issuer }),
          clientId: f.clientId,
          ...(f.clientSecret ? { clientSecret: f.clientSecret } : {}),
          scopes: f.scopes,
          extraParams,
          apiBase: f.apiBase,
          useChatCompletions: f.chat,
        }).then((r) => {
          if (r) onDone();
        });
      }}
    >
      <Field label="Name">
        <input value={f.label} onChange={set('label')} placeholder="e.g. Company gateway" required />
      </Field>
      <Check label="No discovery: enter the endpoints by hand" checked={explicit} onChange={(e) => setExplicit(e.target.checked)} />
      {explicit ? (
        <>
          <Field label="Authorization endpoint" error={typed(f.authorizationEndpoint)}>
            <input value={f.authorizationEndpoint} onChange={set('authorizationEndpoint')} spellCheck={false} />
          </Field>
          <Field label="Token endpoint" error={typed(f.tokenEndpoint)}>
            <input value={f.tokenEndpoint} onChange={set('tokenEndpoint')} spellCheck={false} />
          </Field>
          <Field label="Revocation endpoint (optional)" error={typed(f.revocationEndpoint)}>
            <input value={f.revocationEndpoint} onChange={set('revocationEndpoint')} spellCheck={false} />
          </Field>
        </>
      ) : (
        <Field label="Issuer URL" hint="Loupe reads the provider's settings from its discovery document." error={typed(f.issuer)}>
          <input value={f.issuer} onChange={set('issuer')} placeholder="https://login.example.com" spellCheck={false} />
        </Field>
      )}
      <Field label="Client ID">
        <input value={f.clientId} onChange={set('clientId')} required spellCheck={false} />
      </Field>
      <Field
        label="Client secret (confidential clients only)"
        hint={f.clientSecret ? 'Stored encrypted and sent only to the token endpoint.' : undefined}
      >
        <input type="password" value={f.clientSecret} onChange={set('clientSecret')} autoComplete="off" />
      </Field>
      <Field label="Scopes" hint="Separated by spaces. Include offline_access so Loupe can renew the session.">
        <input value={f.scopes} onChange={set('scopes')} spellCheck={false} />
      </Field>
      <Field label="Extra authorization parameters (optional)" hint="One key=value per line.">
        <textarea rows={2} value={f.extra} onChange={set('extra')} />
      </Field>
      <Field label="API base URL" hint="Where model requests go, e.g. https://llm.example.com/v1" error={typed(f.apiBase)}>
        <input value={f.apiBase} onChange={set('apiBase')} required spellCheck={false} />
      </Field>
      <Check label="Server has no Responses API: use Chat Completions" checked={f.chat} onChange={(e) => setF({ ...f, chat: e.target.checked })} />
      <div className={styles.actions}>
        <Button type="submit" variant="primary" disabled={busy}>
          Save and sign in
        </Button>
      </div>
      <ErrorText error={error} />
    </form>
  );
}
