import { useRef } from 'react';
import type { StagedInput } from '../../../electron/contract';
import { Button } from '../../components/Button';
import { ErrorText } from '../../components/ErrorText';
import { Icon } from '../../components/Icon';
import { useCommand } from '../../ipc/call';
import { ariaShortcut, shortcutLabel } from '../../shell/screens';
import { selectStaged } from '../../state/selectors';
import { useAppState } from '../../state/store';
import styles from './Staging.module.css';
import { type ThumbnailState, useStagedThumbnails } from './useStagedThumbnails';
import text from '../../styles/text.module.css';

/**
 * Where photos come in. Dropping works anywhere in the window (the shell
 * handles it); this area says so, and shrinks to one line once photos are here
 * so the Analyse button stays in view. What each entry holds, and what can't
 * be analysed, is the core's check (StagedInput.photoCount and problem).
 */
export function Staging() {
  const staged = useAppState(selectStaged);
  const photoCount = useAppState((s) => s.analysis.stagedPhotoCount);
  const hasJobs = useAppState((s) => s.analysis.jobs.length > 0);
  // macOS picks files and folders in one dialog; Windows and Linux dialogs pick one or the other.
  const oneDialog = useAppState((s) => s.app.platform === 'darwin');
  const pick = useCommand();
  const unstage = useCommand();
  const clear = useCommand();
  const listRef = useRef<HTMLUListElement>(null);
  const thumbnailOf = useStagedThumbnails(listRef, staged);
  const compact = staged.length > 0 || hasJobs;
  const problems = staged.filter((s) => s.problem !== null);
  const title =
    staged.length > 0
      ? photoCount === null
        ? 'Checking what you added…'
        : `Ready to analyse: ${photoCount} ${photoCount === 1 ? 'photo' : 'photos'}`
      : compact
        ? 'Drop photos or folders anywhere to start another job'
        : 'Drop photos or folders here';
  const shortcut = { title: `(${shortcutLabel('o')})`, keys: ariaShortcut('o') };
  return (
    <div className={compact ? `${styles.zone} ${styles.compact}` : styles.zone} data-testid="dropzone">
      <div className={styles.intro}>
        <p className={styles.title} data-testid="staged-title">
          {title}
        </p>
        {!compact && <p className={text.muted}>JPEG, PNG, WebP, GIF, AVIF, TIFF. Folders are searched inside. You can drop them on any screen.</p>}
      </div>
      <div className={styles.buttons}>
        {oneDialog ? (
          <Button
            onClick={() => void pick.run('analysis.pickImages', {})}
            title={`Add photos or folders ${shortcut.title}`}
            aria-keyshortcuts={shortcut.keys}
          >
            Add photos or folders…
          </Button>
        ) : (
          <>
            <Button
              onClick={() => void pick.run('analysis.pickImages', { folders: false })}
              title={`Add photos ${shortcut.title}`}
              aria-keyshortcuts={shortcut.keys}
            >
              Add photos…
            </Button>
            <Button onClick={() => void pick.run('analysis.pickImages', { folders: true })}>Add folder…</Button>
          </>
        )}
        {staged.length > 0 && <Button onClick={() => void clear.run('analysis.clearStaged', {})}>Clear</Button>}
      </div>
      {staged.length > 0 && (
        <ul ref={listRef} className={styles.list} aria-label="Photos to analyse">
          {staged.map((item) => (
            <li
              key={item.path}
              className={styles.item}
              data-problem={item.problem !== null || undefined}
              data-path={item.path}
              data-testid="staged-item"
            >
              <Preview item={item} thumbnail={thumbnailOf(item.path)} />
              <span className={styles.name} title={item.problem ? `${item.path}: ${item.problem}` : item.path}>
                {item.name}
              </span>
              <span className={styles.count}>{countLabel(item)}</span>
              <button
                type="button"
                className={styles.remove}
                aria-label={`Remove ${item.name}`}
                title="Remove"
                onClick={() => void unstage.run('analysis.unstage', { path: item.path })}
              >
                <Icon name="close" size={14} />
              </button>
            </li>
          ))}
        </ul>
      )}
      {problems.length > 0 && (
        <details className={styles.problems} data-testid="staged-problems">
          <summary>
            {problems.length === 1
              ? `${problems[0]!.name}: ${problems[0]!.problem}`
              : `${problems.length} of the items you added have photos Loupe can’t analyse`}
          </summary>
          <ul>
            {problems.map((item) => (
              <li key={item.path}>
                <strong>{item.name}</strong>: {item.problem}
              </li>
            ))}
          </ul>
        </details>
      )}
      <ErrorText error={pick.error ?? unstage.error ?? clear.error} />
    </div>
  );
}

/**
 * The entry's picture: its preview (alt="" — the name beside it says what it
 * is), a folder's first photos, a placeholder while it is made, or a broken
 * image that says why the file can't be analysed.
 */
function Preview({ item, thumbnail }: { item: StagedInput; thumbnail: ThumbnailState }) {
  const unreadable =
    item.kind === 'file' && item.photoCount === 0
      ? item.problem
      : typeof thumbnail === 'object' && thumbnail.src === null && item.kind === 'file'
        ? thumbnail.problem
        : null;
  if (unreadable) {
    return (
      <span
        className={styles.thumb}
        data-state="broken"
        role="img"
        aria-label={`Can’t be analysed: ${unreadable}`}
        title={unreadable}
        data-testid="staged-broken"
      >
        <Icon name="brokenImage" size={16} />
      </span>
    );
  }
  if (item.kind === 'folder') {
    const previews = typeof thumbnail === 'object' ? (thumbnail.previews ?? []) : [];
    return (
      <>
        <Icon name="folder" size={14} />
        {previews.length > 0 && (
          <span className={styles.stack}>
            {previews.map((src, i) => (
              <img key={i} className={styles.thumb} src={src} alt="" width={28} height={28} data-testid="staged-thumbnail" />
            ))}
          </span>
        )}
      </>
    );
  }
  if (typeof thumbnail === 'object' && thumbnail.src) {
    return <img className={styles.thumb} src={thumbnail.src} alt="" width={28} height={28} data-testid="staged-thumbnail" />;
  }
  return <span className={styles.thumb} data-state="loading" aria-hidden="true" data-testid="staged-placeholder" />;
}

/** "12 photos" for a folder, "can't be analysed" for a file the check refused; nothing for a good single photo. */
function countLabel(item: StagedInput): string {
  if (item.photoCount === null) return '…';
  if (item.kind === 'folder') return `${item.photoCount} ${item.photoCount === 1 ? 'photo' : 'photos'}`;
  return item.photoCount === 0 ? 'can’t be analysed' : '';
}
