import type { CommandError } from '../../electron/contract';
import styles from './ErrorText.module.css';

/** A command's error in words for a person, announced to screen readers, or nothing. */
export function ErrorText({ error, id }: { error: CommandError | null | undefined; id?: string }) {
  if (!error) return null;
  return (
    <p className={styles.error} role="alert" id={id}>
      {error.message}
    </p>
  );
}
