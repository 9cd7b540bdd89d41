import { useAppState } from '../state/store';
import { selectLinks } from '../state/selectors';
import { useCommand } from '../ipc/call';
import { Button } from './Button';
import { ErrorText } from './ErrorText';
import styles from './PlanUsage.module.css';

/** Opens ChatGPT's usage page; the URL comes from the core. `primary` in the usage-limit state, as the SIWC rules ask. */
export function ManageUsageButton({ primary = false, url }: { primary?: boolean; url?: string }) {
  const links = useAppState(selectLinks);
  const open = useCommand();
  return (
    <>
      <Button variant={primary ? 'primary' : 'link'} onClick={() => void open.run('app.openExternal', { url: url ?? links.manageUsage })}>
        Manage usage
      </Button>
      <ErrorText error={open.error} />
    </>
  );
}

/** Shown near the model picker while requests use the person's ChatGPT plan. */
export function PlanIndicator() {
  return (
    <p className={styles.indicator} data-testid="plan-indicator">
      <span className={styles.dot} aria-hidden="true" /> Using ChatGPT plan · <ManageUsageButton />
    </p>
  );
}
