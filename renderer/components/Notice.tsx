import type { ReactNode } from 'react';
import styles from './Notice.module.css';

/** A tinted message box with optional actions beside the text. */
export function Notice({
  level,
  children,
  actions,
  role,
  testId,
}: {
  level: 'info' | 'warning' | 'error';
  children: ReactNode;
  actions?: ReactNode;
  role?: 'alert' | 'status';
  testId?: string;
}) {
  return (
    <div className={`${styles.notice} ${styles[level]}`} role={role} data-testid={testId}>
      <div className={styles.text}>{children}</div>
      {actions}
    </div>
  );
}
