import { useEffect, useState } from 'react';
import type { JobItemView, JobItemsPage, JobSummaryView } from '../../../electron/contract';
import { Button } from '../../components/Button';
import { ErrorText } from '../../components/ErrorText';
import { Icon } from '../../components/Icon';
import { useCommand } from '../../ipc/call';
import { ITEM_STATUS_LABEL } from '../../state/labels';
import { ResultPanel } from './ResultPanel';
import { useThrottled } from './useThrottled';
import styles from './JobItems.module.css';

const PAGE_SIZE = 48;

/** Why a photo has no result, in words, for its tile and its panel. */
export function itemReason(item: JobItemView): string | null {
  if (item.status === 'failed') return item.error?.message ?? 'The analysis failed.';
  if (item.status === 'skipped') return item.error?.message ?? (item.duplicateOf ? 'Same photo as another in this job; analysed once.' : 'Skipped.');
  return null;
}

/**
 * One page of a job's photos, fetched with analysis.getItems; fetched again
 * when the job's counts move, at most once a second, so a running job of
 * thousands of photos does not pull its whole detail on every change.
 */
export function JobItems({ job }: { job: JobSummaryView }) {
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<JobItemsPage | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const { run, error } = useCommand();
  const c = job.counts;
  const progress = useThrottled(`${c.done}/${c.failed}/${c.skipped}/${c.inFlight}/${c.total}/${job.status}`, 1000);
  useEffect(() => {
    let live = true;
    void run('analysis.getItems', { jobId: job.id, offset, limit: PAGE_SIZE }).then((next) => {
      if (live && next) setPage(next);
    });
    return () => {
      live = false;
    };
  }, [run, job.id, offset, progress]);
  if (!page) return error ? <ErrorText error={error} /> : <p role="status">Loading photos…</p>;
  const item = page.items.find((i) => i.id === selected) ?? null;
  const pages = Math.ceil(page.total / PAGE_SIZE);
  return (
    <div className={styles.items}>
      <ul className={styles.thumbs} aria-label="Photos">
        {page.items.map((i) => (
          <li key={i.id}>
            <Tile item={i} selected={i.id === selected} onOpen={() => setSelected(i.id)} />
          </li>
        ))}
      </ul>
      {pages > 1 && (
        <nav className={styles.pager} aria-label="Photo pages">
          <Button disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
            Previous
          </Button>
          <span>
            {offset + 1}–{Math.min(page.total, offset + PAGE_SIZE)} of {page.total}
          </span>
          <Button disabled={offset + PAGE_SIZE >= page.total} onClick={() => setOffset(offset + PAGE_SIZE)}>
            Next
          </Button>
        </nav>
      )}
      <ErrorText error={error} />
      <ResultPanel item={item} onClose={() => setSelected(null)} />
    </div>
  );
}

function Tile({ item, selected, onOpen }: { item: JobItemView; selected: boolean; onOpen: () => void }) {
  const reason = itemReason(item);
  const broken = item.status === 'failed' || item.status === 'skipped';
  return (
    <button type="button" className={styles.tile} data-status={item.status} aria-pressed={selected} onClick={onOpen} title={reason ?? item.name}>
      {item.thumbnail ? (
        <img src={item.thumbnail} alt="" className={styles.image} />
      ) : (
        <span className={styles.placeholder} aria-hidden="true">
          {broken && <Icon name={item.status === 'skipped' ? 'skip' : 'brokenImage'} size={28} />}
        </span>
      )}
      <span className={styles.name}>{item.name}</span>
      <span className={styles.pill} data-status={item.status}>
        {ITEM_STATUS_LABEL[item.status]}
      </span>
      {reason && <span className={styles.reason}>{reason}</span>}
    </button>
  );
}
