import type { ReactNode } from 'react';
import styles from './Screen.module.css';

/** A screen's column: one width per kind of content, centred in the window. */
export function Screen({
  labelledBy,
  width = 'regular',
  children,
}: {
  labelledBy?: string;
  width?: 'narrow' | 'regular' | 'wide';
  children: ReactNode;
}) {
  return (
    <section className={`${styles.screen} ${styles[width]}`} aria-labelledby={labelledBy}>
      {children}
    </section>
  );
}
