import { useEffect, useId, useRef, useState } from 'react';
import type { JobItemView } from '../../../electron/contract';
import { Button } from '../../components/Button';
import { Icon } from '../../components/Icon';
import { Notice } from '../../components/Notice';
import { ITEM_STATUS_LABEL } from '../../state/labels';
import { Fields } from './Fields';
import { itemReason } from './JobItems';
import styles from './ResultPanel.module.css';
import text from '../../styles/text.module.css';

/**
 * A photo's result in a side panel (a modal <dialog>), so it opens where it can
 * be seen whatever the scroll position, takes focus, and Escape closes it.
 */
export function ResultPanel({ item, onClose }: { item: JobItemView | null; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [raw, setRaw] = useState(false);
  const titleId = useId();
  const open = item !== null;
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  const reason = item ? itemReason(item) : null;
  const hasAnswer = item?.result !== undefined || !!item?.rawText;
  return (
    <dialog ref={ref} className={styles.panel} aria-labelledby={titleId} onClose={onClose} data-testid="result-panel">
      {item && (
        <>
          <header className={styles.header}>
            <h2 id={titleId} className={styles.title}>
              {item.name}
            </h2>
            {/* A modal dialog: focus belongs on its first control when it opens (the HTML dialog focusing steps). */}
            {/* eslint-disable-next-line jsx-a11y/no-autofocus */}
            <Button variant="link" aria-label="Close" onClick={onClose} autoFocus>
              <Icon name="close" />
            </Button>
          </header>
          {item.thumbnail && <img className={styles.image} src={item.thumbnail} alt={item.name} />}
          <p className={text.muted}>
            {ITEM_STATUS_LABEL[item.status]}
            {item.attempts && item.attempts > 1 ? ` after ${item.attempts} attempts` : ''}
          </p>
          {reason && <Notice level={item.status === 'failed' ? 'error' : 'info'}>{reason}</Notice>}
          {item.parseError && (
            <Notice level="warning">The answer did not match the expected format ({item.parseError}); the raw text was kept.</Notice>
          )}
          {hasAnswer && (
            <>
              {item.result !== undefined && (
                <Button variant="link" onClick={() => setRaw(!raw)}>
                  {raw ? 'Show formatted' : 'Show raw JSON'}
                </Button>
              )}
              <div className={styles.result} aria-label={`Result for ${item.name}`} role="region">
                {raw || item.result === undefined ? (
                  <pre className={styles.raw}>{item.result !== undefined ? JSON.stringify(item.result, null, 2) : item.rawText}</pre>
                ) : (
                  <Fields value={item.result} />
                )}
              </div>
            </>
          )}
          {item.outputFile && <p className={styles.path}>Saved to {item.outputFile}</p>}
        </>
      )}
    </dialog>
  );
}
