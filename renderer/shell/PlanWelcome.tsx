import { useEffect, useRef } from 'react';
import { Button } from '../components/Button';
import { ErrorText } from '../components/ErrorText';
import { ManageUsageButton } from '../components/PlanUsage';
import { useCommand } from '../ipc/call';
import { useAppState } from '../state/store';
import styles from './PlanWelcome.module.css';

/** The one-time "You're using your ChatGPT plan" notice, as a modal <dialog>: focus stays inside, Escape means "Got it". */
export function PlanWelcome() {
  const show = useAppState((s) => s.account.showPlanWelcome);
  const ref = useRef<HTMLDialogElement>(null);
  const gotItButton = useRef<HTMLButtonElement>(null);
  const dismiss = useCommand();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (show && !dialog.open) {
      dialog.showModal();
      // showModal focuses the first button (Manage usage); the expected answer is "Got it".
      gotItButton.current?.focus();
    }
    if (!show && dialog.open) dialog.close();
  }, [show]);
  const gotIt = () => void dismiss.run('auth.dismissPlanWelcome', {});
  return (
    <dialog
      ref={ref}
      className={styles.dialog}
      aria-labelledby="plan-welcome-title"
      onCancel={(e) => {
        // Escape answers the dialog; the core closes it through state.
        e.preventDefault();
        gotIt();
      }}
    >
      <h2 id="plan-welcome-title">You're using your ChatGPT plan</h2>
      <p>Eligible requests Loupe makes are funded by your ChatGPT plan. You can see and manage this usage in ChatGPT settings.</p>
      <div className={styles.actions}>
        <ManageUsageButton />
        <Button variant="primary" ref={gotItButton} onClick={gotIt}>
          Got it
        </Button>
      </div>
      <ErrorText error={dismiss.error} />
    </dialog>
  );
}
