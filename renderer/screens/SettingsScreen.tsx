import { useState } from 'react';
import type { AppState, Theme } from '../../electron/contract';
import { useCommand } from '../api';
import { PriceTable } from '../components/PriceTable';
import { ErrorText } from '../components/ErrorText';

export function SettingsScreen({ state }: { state: AppState }) {
  const { run, error } = useCommand();
  const s = state.settings;
  const [confirmWeak, setConfirmWeak] = useState(false);
  const number = (value: string) => (value.trim() === '' ? Number.NaN : Number(value));
  return (
    <section className="screen" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <div className="card form">
        <h2>Appearance</h2>
        <label className="field">
          <span>Theme</span>
          <select value={s.theme} onChange={(e) => void run('settings.update', { theme: e.target.value as Theme })}>
            <option value="system">Follow system</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
      </div>
      <div className="card form">
        <h2>Session</h2>
        <label className="field">
          <span>Warn when the token expires within (minutes)</span>
          <input type="number" min={1} max={120} defaultValue={s.expiryWarningMinutes} onBlur={(e) => void run('settings.update', { expiryWarningMinutes: number(e.target.value) })} />
        </label>
        <label className="field">
          <span>Renew the token this long before it expires (seconds)</span>
          <input type="number" min={30} max={900} defaultValue={s.refreshMarginSeconds} onBlur={(e) => void run('settings.update', { refreshMarginSeconds: number(e.target.value) })} />
        </label>
        <label className="field">
          <span>Give up waiting for the browser after (minutes)</span>
          <input type="number" min={1} max={60} defaultValue={s.signInTimeoutMinutes} onBlur={(e) => void run('settings.update', { signInTimeoutMinutes: number(e.target.value) })} />
        </label>
        <label className="field">
          <span>Sign-in callback port (0 = pick a free port)</span>
          <input type="number" min={0} max={65535} defaultValue={s.callbackPort} onBlur={(e) => void run('settings.update', { callbackPort: number(e.target.value) })} />
        </label>
      </div>
      <div className="card form">
        <h2>Analysis</h2>
        <label className="field">
          <span>Most requests at once (Loupe adapts below this)</span>
          <input type="number" min={1} max={64} defaultValue={s.analysisConcurrency} onBlur={(e) => void run('settings.update', { analysisConcurrency: number(e.target.value) })} />
        </label>
        <h3>Prices for the cost estimate</h3>
        <PriceTable prices={s.prices} />
      </div>
      <div className="card form">
        <h2>Storage</h2>
        <p className="muted">Tokens are encrypted with your system keychain. Where no keychain exists, Loupe keeps the session in memory only.</p>
        {state.account.storage !== 'keychain' && (
          <label className="check">
            <input
              type="checkbox"
              checked={s.allowWeakStorage}
              onChange={(e) => {
                if (e.target.checked) setConfirmWeak(true);
                else void run('settings.update', { allowWeakStorage: false });
              }}
            />
            <span>Keep my sign-in on disk with weak encryption</span>
          </label>
        )}
        {confirmWeak && (
          <div className="notice-inline notice-warning" role="alertdialog" aria-label="Weak storage warning">
            <p>
              Without a keychain, the key that protects your tokens is the same on every computer. Anyone who can read your files could use your ChatGPT
              session. Only allow this on a computer you alone use.
            </p>
            <div className="actions">
              <button type="button" className="button" onClick={() => setConfirmWeak(false)}>
                Keep in memory
              </button>
              <button
                type="button"
                className="button button-danger"
                onClick={() => {
                  setConfirmWeak(false);
                  void run('settings.update', { allowWeakStorage: true });
                }}
              >
                Allow weak storage
              </button>
            </div>
          </div>
        )}
      </div>
      <ErrorText error={error} />
    </section>
  );
}
