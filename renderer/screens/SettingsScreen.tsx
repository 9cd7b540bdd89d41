import type { AppState, Theme } from '../../electron/contract';
import { useCommand } from '../api';

export function SettingsScreen({ state }: { state: AppState }) {
  const { run, error } = useCommand();
  const s = state.settings;
  return (
    <section className="screen" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <div className="card form">
        <label className="field">
          <span>Theme</span>
          <select value={s.theme} onChange={(e) => void run('settings.update', { theme: e.target.value as Theme })}>
            <option value="system">Follow system</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
        <label className="field">
          <span>Warn when the token expires within (minutes)</span>
          <input
            type="number"
            min={1}
            max={120}
            value={s.expiryWarningMinutes}
            onChange={(e) => void run('settings.update', { expiryWarningMinutes: Number(e.target.value) })}
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {error.message}
          </p>
        )}
      </div>
    </section>
  );
}
