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
  // Only a stopped job whose reason carries a place to fix it (Manage usage) is app-wide news.
  const stopped = useAppState((s) => s.analysis.jobs.find((j) => j.status === 'stopped' && j.stopReason?.link) ?? null);
  const dismiss = useCommand();
  const act = useCommand();
  if (notices.length === 0 && !stopped && !extraError && !dismiss.error && !act.error) return null;
  return (
    <div className={styles.notices}>
      {stopped?.stopReason && (
        <Notice level="warning" role="alert" testId="usage-limit" actions={<ManageUsageButton primary />}>
          <strong>{stopped.name} stopped.</strong> {stopped.stopReason.message}
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
