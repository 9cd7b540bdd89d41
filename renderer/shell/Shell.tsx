import { useAppState } from '../state/store';
import { useNavigation } from '../state/navigation';
import { AccountScreen } from '../screens/account/AccountScreen';
import { AnalyseScreen } from '../screens/analyse/AnalyseScreen';
import { ModelsScreen } from '../screens/models/ModelsScreen';
import { SettingsScreen } from '../screens/settings/SettingsScreen';
import { AppNotices } from './AppNotices';
import { DropAnywhere } from './DropAnywhere';
import { PlanWelcome } from './PlanWelcome';
import { StatusAnnouncer } from './StatusAnnouncer';
import { TopBar } from './TopBar';
import { useShortcuts } from './useShortcuts';
import { useTheme } from './useTheme';
import { useWindowTitle } from './useWindowTitle';
import styles from './Shell.module.css';

export function Shell() {
  const { screen } = useNavigation();
  const app = useAppState((s) => s.app);
  useTheme();
  useWindowTitle();
  const shortcuts = useShortcuts();
  return (
    <div className={styles.shell}>
      <TopBar />
      <AppNotices extraError={shortcuts.error} />
      <main className={styles.content} id="screen" role="tabpanel" aria-labelledby={`tab-${screen}`} tabIndex={-1}>
        {screen === 'account' && <AccountScreen />}
        {screen === 'models' && <ModelsScreen />}
        {screen === 'analyse' && <AnalyseScreen />}
        {screen === 'settings' && <SettingsScreen />}
      </main>
      <footer className={styles.footer}>
        v{app.version}
        {app.dev ? ' · development build' : ''}
      </footer>
      <PlanWelcome />
      <DropAnywhere />
      <StatusAnnouncer />
    </div>
  );
}
