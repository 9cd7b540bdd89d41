import type { CommandError } from '../../electron/contract';
import { Button } from '../components/Button';
import { ErrorText } from '../components/ErrorText';
import { Notice } from '../components/Notice';
import { ManageUsageButton } from '../components/PlanUsage';
import { useCommand } from '../ipc/call';
import { selectNotices } from '../state/selectors';
import { useAppState } from '../state/store';
import styles from './AppNotices.module.css';

/** Notices from the core, a stopped job's reason with its fix (app-wide, not only on Analyse), and errors of app-wide shortcuts. */
export function AppNotices({ extraError }: { extraError: CommandError | null }) {
  const notices = useAppState(selectNotices);
  // The core's app-wide usage-limit state: set when a job stops on it, cleared when the account works again.
  const usageLimit = useAppState((s) => s.usageLimit);
  const accountLabel = useAppState((s) => s.accounts.find((a) => a.id === s.usageLimit?.accountId)?.label ?? null);
  const dismiss = useCommand();
  const act = useCommand();
  if (notices.length === 0 && !usageLimit && !extraError && !dismiss.error && !act.error) return null;
  return (
    <div className={styles.notices}>
      {usageLimit && (
        <Notice level="warning" role="alert" testId="usage-limit" actions={<ManageUsageButton primary url={usageLimit.link.url} />}>
          <strong>{accountLabel ? `Usage limit reached on ${accountLabel}.` : 'Usage limit reached.'}</strong> {usageLimit.message}
        </Notice>
      )}
      {notices.map((notice) => (
        <Notice
          key={notice.id}
          level={notice.level}
          role={notice.level === 'error' ? 'alert' : 'status'}
          actions={
            <>
              {notice.actions?.map((action) => (
                <Button key={action.command} disabled={act.busy} onClick={() => void act.run(action.command, {})}>
                  {action.label}
                </Button>
              ))}
              <Button variant="link" onClick={() => void dismiss.run('notices.dismiss', { id: notice.id })}>
                Dismiss
              </Button>
            </>
          }
        >
          {notice.message}
        </Notice>
      ))}
      <ErrorText error={extraError ?? act.error ?? dismiss.error} />
    </div>
  );
}
