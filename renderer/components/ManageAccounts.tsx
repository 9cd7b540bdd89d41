import { useState } from 'react';
import type { AppState } from '../../electron/contract';
import { useCommand } from '../api';
import { ErrorText } from './ErrorText';

type Adding = null | 'api_key' | 'custom';

/** Every saved account with its actions, and the three ways to add one. */
export function ManageAccounts({ state }: { state: AppState }) {
  const [adding, setAdding] = useState<Adding>(null);
  const act = useCommand();
  const hasChatGpt = state.accounts.some((a) => a.kind === 'chatgpt');
  return (
    <div className="card" id="manage-accounts" aria-labelledby="accounts-title">
      <h2 id="accounts-title">Accounts</h2>
      {state.accounts.length === 0 && <p className="muted">No saved accounts yet.</p>}
      <ul className="account-list">
        {state.accounts.map((a) => (
          <li key={a.id} data-testid="account-row">
            <div>
              <strong>{a.label}</strong>{' '}
              <span className="badge">{a.kind === 'chatgpt' ? 'ChatGPT' : a.kind === 'api_key' ? 'API key' : 'OAuth provider'}</span>
              {a.active && <span className="badge badge-ok">active</span>}
              <p className="muted">{a.status === 'signed_in' ? 'Ready' : a.status === 'needs_sign_in' ? 'Needs sign-in' : 'Signed out'}</p>
            </div>
            <div className="row">
              {!a.active && (
                <button type="button" className="button" onClick={() => void act.run('accounts.switch', { accountId: a.id })}>
                  Use
                </button>
              )}
              {a.kind !== 'api_key' && a.status !== 'signed_in' && (
                <button type="button" className="button" onClick={() => void act.run('auth.signIn', { accountId: a.id })}>
                  Sign in
                </button>
              )}
              {a.status === 'signed_in' && a.kind !== 'api_key' && (
                <button type="button" className="button" onClick={() => void act.run('auth.signOut', { accountId: a.id })}>
                  Sign out
                </button>
              )}
              <button type="button" className="button button-danger" onClick={() => void act.run('accounts.forget', { accountId: a.id })}>
                {a.kind === 'api_key' ? 'Remove' : 'Forget'}
              </button>
            </div>
          </li>
        ))}
      </ul>
      <ErrorText error={act.error} />
      <h3>Add an account</h3>
      <div className="actions">
        <button type="button" className="button button-primary" onClick={() => void act.run('auth.signIn', { newChatGptAccount: hasChatGpt })}>
          Continue with ChatGPT
        </button>
        <button type="button" className="button" aria-expanded={adding === 'api_key'} onClick={() => setAdding(adding === 'api_key' ? null : 'api_key')}>
          Add an API key
        </button>
        <button type="button" className="button" aria-expanded={adding === 'custom'} onClick={() => setAdding(adding === 'custom' ? null : 'custom')}>
          Add an OAuth provider
        </button>
      </div>
      {adding === 'api_key' && <AddApiKey onDone={() => setAdding(null)} />}
      {adding === 'custom' && <AddCustom onDone={() => setAdding(null)} />}
    </div>
  );
}

function AddApiKey({ onDone }: { onDone: () => void }) {
  const [label, setLabel] = useState('');
  const [baseUrl, setBaseUrl] = useState('https://api.openai.com/v1');
  const [apiKey, setApiKey] = useState('');
  const [chat, setChat] = useState(false);
  const { run, busy, error } = useCommand();
  return (
    <form
      className="form subform"
      aria-label="Add an API key"
      onSubmit={(e) => {
        e.preventDefault();
        void run('accounts.addApiKey', { ...(label.trim() ? { label: label.trim() } : {}), baseUrl, apiKey, useChatCompletions: chat }).then((r) => {
          setApiKey('');
          if (r) onDone();
        });
      }}
    >
      <label className="field">
        <span>Name (optional)</span>
        <input value={label} onChange={(e) => setLabel(e.target.value)} placeholder="e.g. Work API key" />
      </label>
      <label className="field">
        <span>Base URL</span>
        <input value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} spellCheck={false} />
      </label>
      <label className="field">
        <span>API key</span>
        <input type="password" value={apiKey} onChange={(e) => setApiKey(e.target.value)} autoComplete="off" spellCheck={false} placeholder="sk-…" />
      </label>
      <label className="check">
        <input type="checkbox" checked={chat} onChange={(e) => setChat(e.target.checked)} />
        <span>Server has no Responses API: use Chat Completions</span>
      </label>
      <p className="fineprint muted">Loupe checks the key by listing models, then stores it encrypted. It is never shown again.</p>
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy || apiKey.trim().length < 8}>
          {busy ? 'Checking…' : 'Check and save'}
        </button>
      </div>
      <ErrorText error={error} />
    </form>
  );
}

function AddCustom({ onDone }: { onDone: () => void }) {
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
  const extraParams = Object.fromEntries(
    f.extra
      .split('\n')
      .map((line) => line.split('=').map((p) => p.trim()))
      .filter((p): p is [string, string] => p.length === 2 && p[0] !== ''),
  );
  return (
    <form
      className="form subform"
      aria-label="Add an OAuth provider"
      onSubmit={(e) => {
        e.preventDefault();
        void run('accounts.addCustom', {
          label: f.label,
          ...(explicit ? { authorizationEndpoint: f.authorizationEndpoint, tokenEndpoint: f.tokenEndpoint, revocationEndpoint: f.revocationEndpoint } : { issuer: f.issuer }),
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
      <label className="field">
        <span>Name</span>
        <input value={f.label} onChange={set('label')} placeholder="e.g. Company gateway" required />
      </label>
      <label className="check">
        <input type="checkbox" checked={explicit} onChange={(e) => setExplicit(e.target.checked)} />
        <span>No discovery: enter the endpoints by hand</span>
      </label>
      {explicit ? (
        <>
          <label className="field">
            <span>Authorization endpoint</span>
            <input value={f.authorizationEndpoint} onChange={set('authorizationEndpoint')} spellCheck={false} />
          </label>
          <label className="field">
            <span>Token endpoint</span>
            <input value={f.tokenEndpoint} onChange={set('tokenEndpoint')} spellCheck={false} />
          </label>
          <label className="field">
            <span>Revocation endpoint (optional)</span>
            <input value={f.revocationEndpoint} onChange={set('revocationEndpoint')} spellCheck={false} />
          </label>
        </>
      ) : (
        <label className="field">
          <span>Issuer URL</span>
          <input value={f.issuer} onChange={set('issuer')} placeholder="https://login.example.com" spellCheck={false} />
        </label>
      )}
      <label className="field">
        <span>Client ID</span>
        <input value={f.clientId} onChange={set('clientId')} required spellCheck={false} />
      </label>
      <label className="field">
        <span>Client secret (confidential clients only)</span>
        <input type="password" value={f.clientSecret} onChange={set('clientSecret')} autoComplete="off" />
      </label>
      {f.clientSecret && <p className="fineprint muted">Confidential client: the secret is stored encrypted and sent only to the token endpoint.</p>}
      <label className="field">
        <span>Scopes</span>
        <input value={f.scopes} onChange={set('scopes')} spellCheck={false} />
      </label>
      <label className="field">
        <span>Extra authorization parameters (one key=value per line)</span>
        <textarea rows={2} className="mono" value={f.extra} onChange={set('extra')} />
      </label>
      <label className="field">
        <span>API base URL</span>
        <input value={f.apiBase} onChange={set('apiBase')} placeholder="https://llm.example.com/v1" required spellCheck={false} />
      </label>
      <label className="check">
        <input type="checkbox" checked={f.chat} onChange={(e) => setF({ ...f, chat: e.target.checked })} />
        <span>Server has no Responses API: use Chat Completions</span>
      </label>
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          Save and sign in
        </button>
      </div>
      <ErrorText error={error} />
    </form>
  );
}
