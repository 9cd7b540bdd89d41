import { useAppState } from '../state/store';
import { AccountMenu } from './AccountMenu';
import { Tabs } from './Tabs';
import styles from './TopBar.module.css';

export function TopBar() {
  const app = useAppState((s) => s.app);
  return (
    <header className={styles.topbar}>
      <div className={styles.brand}>
        <LoupeMark />
        <span className={styles.name}>{app.name}</span>
        {app.testIssuer && (
          <span className={styles.badge} title={`Signing in against ${app.testIssuer}`}>
            test issuer
          </span>
        )}
      </div>
      <Tabs />
      <AccountMenu />
    </header>
  );
}

function LoupeMark() {
  return (
    <svg className={styles.mark} viewBox="0 0 32 32" width="22" height="22" aria-hidden="true">
      <circle cx="13" cy="13" r="9" fill="none" stroke="currentColor" strokeWidth="3" />
      <path d="M20 20 L28 28" stroke="currentColor" strokeWidth="4" strokeLinecap="round" />
    </svg>
  );
}
