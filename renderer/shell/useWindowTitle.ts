import { useEffect } from 'react';
import { useAppState } from '../state/store';
import { selectCurrentJob } from '../state/selectors';

/** The title carries state, so the taskbar and window switcher say what Loupe is doing. */
export function useWindowTitle() {
  const name = useAppState((s) => s.app.name);
  const job = useAppState(selectCurrentJob);
  const status = useAppState((s) => s.account.status);
  const signingIn = useAppState((s) => s.signIn.phase !== 'idle');
  let title = name;
  if (job) {
    const c = job.counts;
    title = `${name} — Analysing ${c.done + c.failed + c.skipped} / ${c.total}`;
  } else if (signingIn) title = `${name} — Signing in`;
  else if (status === 'needs_sign_in') title = `${name} — Sign-in needed`;
  useEffect(() => {
    document.title = title;
  }, [title]);
}
