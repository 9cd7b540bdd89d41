import { Button } from '../../components/Button';
import { ErrorText } from '../../components/ErrorText';
import { Icon } from '../../components/Icon';
import { useCommand } from '../../ipc/call';
import { ariaShortcut, shortcutLabel } from '../../shell/screens';
import { selectStaged } from '../../state/selectors';
import { useAppState } from '../../state/store';
import styles from './Staging.module.css';
import text from '../../styles/text.module.css';

/**
 * Where photos come in. Dropping works anywhere in the window (the shell
 * handles it); this area says so, and shrinks to one line once photos are here
 * so the Analyse button stays in view.
 */
export function Staging() {
  const staged = useAppState(selectStaged);
  const hasJobs = useAppState((s) => s.analysis.jobs.length > 0);
  const pick = useCommand();
  const unstage = useCommand();
  const clear = useCommand();
  const compact = staged.length > 0 || hasJobs;
  const title = staged.length > 0 ? `Ready to analyse: ${staged.length}` : compact ? 'Drop photos or folders anywhere to start another job' : 'Drop photos or folders here';
  return (
    <div className={compact ? `${styles.zone} ${styles.compact}` : styles.zone} data-testid="dropzone">
      <div className={styles.intro}>
        <p className={styles.title}>{title}</p>
        {!compact && <p className={text.muted}>JPEG, PNG, WebP, GIF, AVIF, TIFF. Folders are searched inside. You can drop them on any screen.</p>}
      </div>
      <div className={styles.buttons}>
        <Button onClick={() => void pick.run('analysis.pickImages', {})} title={`Add images (${shortcutLabel('o')})`} aria-keyshortcuts={ariaShortcut('o')}>
          Add images…
        </Button>
        {staged.length > 0 && <Button onClick={() => void clear.run('analysis.clearStaged', {})}>Clear</Button>}
      </div>
      {staged.length > 0 && (
        <ul className={styles.list} aria-label="Photos to analyse">
          {staged.map((item) => (
            <li key={item.path} className={styles.item}>
              <span className={styles.name} title={item.path}>
                {item.name}
              </span>
              <button type="button" className={styles.remove} aria-label={`Remove ${item.name}`} title="Remove" onClick={() => void unstage.run('analysis.unstage', { path: item.path })}>
                <Icon name="close" size={14} />
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorText error={pick.error ?? unstage.error ?? clear.error} />
    </div>
  );
}
