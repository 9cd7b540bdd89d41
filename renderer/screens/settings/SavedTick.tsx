import { useEffect, useState } from 'react';
import { Icon } from '../../components/Icon';
import styles from './SettingsScreen.module.css';

/** "Saved" with a tick after each successful save (`show` counts saves), fading after a few seconds. */
export function SavedTick({ show }: { show: number }) {
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    if (show === 0) return;
    setVisible(true);
    const timer = setTimeout(() => setVisible(false), 2500);
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
