import { useEffect } from 'react';
import { type Command, useCommand } from '../ipc/call';
import { navigate } from '../state/navigation';
import { SCREENS } from './screens';

/** Ctrl/⌘+1…4 switch screens, Ctrl/⌘+O adds photos. Ctrl/⌘+Enter (start) belongs to the job form. */
export function useShortcuts(): Command {
  const command = useCommand();
  const { run } = command;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
      const screen = SCREENS.find((s) => s.key === e.key);
      if (screen) {
        e.preventDefault();
        navigate(screen.id);
      } else if (e.key.toLowerCase() === 'o') {
        e.preventDefault();
        navigate('analyse');
        void run('analysis.pickImages', {});
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [run]);
  return command;
}
