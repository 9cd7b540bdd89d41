import { useEffect, useState } from 'react';
import type { AppState } from '../electron/contract';
import { useAppState } from './api';
import { AccountSwitcher } from './components/AccountSwitcher';
import { Notices } from './components/Notices';
import { PlanWelcome } from './components/PlanUsage';
import { AccountScreen } from './screens/AccountScreen';
import { AnalyseScreen } from './screens/AnalyseScreen';
import { ModelsScreen } from './screens/ModelsScreen';
import { SettingsScreen } from './screens/SettingsScreen';

type ScreenId = 'account' | 'models' | 'analyse' | 'settings';

const SCREENS: Array<{ id: ScreenId; label: string }> = [
  { id: 'account', label: 'Account' },
  { id: 'models', label: 'Models' },
  { id: 'analyse', label: 'Analyse' },
  { id: 'settings', label: 'Settings' },
];

export function App() {
  const state = useAppState();
  const [screen, setScreen] = useState<ScreenId>('account');
  useTheme(state);

  if (!state) {
    return (
      <div className="loading" role="status">
        Loading Loupe…
      </div>
    );
  }

  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand">
          <LoupeMark />
          <span className="brand-name">{state.app.name}</span>
          {state.app.testIssuer && (
            <span className="badge badge-warning" title={`Signing in against ${state.app.testIssuer}`}>
              test issuer
            </span>
          )}
        </div>
        <nav className="tabs" aria-label="Sections">
          {SCREENS.map((s) => (
            <button
              key={s.id}
              type="button"
              className={s.id === screen ? 'tab tab-active' : 'tab'}
              aria-current={s.id === screen ? 'page' : undefined}
              onClick={() => setScreen(s.id)}
            >
              {s.label}
            </button>
          ))}
        </nav>
        <AccountSwitcher
          state={state}
          onManage={() => {
            setScreen('account');
            setTimeout(() => document.getElementById('manage-accounts')?.scrollIntoView({ behavior: 'smooth' }), 0);
          }}
        />
      </header>
      <Notices notices={state.notices} />
      <main className="content">
        {screen === 'account' && <AccountScreen state={state} />}
        {screen === 'models' && <ModelsScreen state={state} />}
        {screen === 'analyse' && <AnalyseScreen state={state} />}
        {screen === 'settings' && <SettingsScreen state={state} />}
      </main>
      {state.account.showPlanWelcome && <PlanWelcome />}
      <footer className="statusbar">
        <span>
          v{state.app.version}
          {state.app.dev ? ' · development build' : ''}
        </span>
      </footer>
    </div>
  );
}

function useTheme(state: AppState | null) {
  const theme = state?.settings.theme ?? 'system';
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
}

function LoupeMark() {
  return (
    <svg className="mark" viewBox="0 0 32 32" width="22" height="22" aria-hidden="true">
      <circle cx="13" cy="13" r="9" fill="none" stroke="currentColor" strokeWidth="3" />
      <path d="M20 20 L28 28" stroke="currentColor" strokeWidth="4" strokeLinecap="round" />
    </svg>
  );
}
