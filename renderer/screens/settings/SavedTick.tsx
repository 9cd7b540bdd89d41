import { useEffect, useState } from 'react';
import { Icon } from '../../components/Icon';
import styles from './SettingsScreen.module.css';

/** "Saved" with a tick after each successful save (`show` counts saves), fading after a few seconds. */
export function SavedTick({ show }: { show: number }) {
  // The save count that has faded; the tick shows while a newer save is being confirmed.
  const [faded, setFaded] = useState(0);
  const visible = show !== 0 && faded !== show;
  useEffect(() => {
    if (show === 0) return;
    const timer = setTimeout(() => setFaded(show), 2500);
    return () => clearTimeout(timer);
  }, [show]);
  return (
    <span className={styles.saved} role="status" data-testid="saved-tick">
      {visible && (
        <>
          <Icon name="check" size={16} /> Saved
        </>
      )}
    </span>
  );
}
