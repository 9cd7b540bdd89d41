import type { JobCounts } from '../../../electron/contract';
import styles from './SegmentedProgress.module.css';

const SEGMENTS = [
  { key: 'done', label: 'done' },
  { key: 'unparsed', label: 'unreadable answers' },
  { key: 'failed', label: 'failed' },
  { key: 'skipped', label: 'skipped' },
] as const;

/** One bar, one segment per outcome, so failures and skips are visible while a job runs, not only in numbers. */
export function SegmentedProgress({ counts }: { counts: JobCounts }) {
  const finished = counts.done + counts.unparsed + counts.failed + counts.skipped;
  const total = Math.max(1, counts.total);
  const words = SEGMENTS.map((s) => `${counts[s.key]} ${s.label}`).join(', ');
  return (
    <div
      className={styles.bar}
      role="progressbar"
      aria-label="Progress"
      aria-valuemin={0}
      aria-valuemax={counts.total}
      aria-valuenow={finished}
      aria-valuetext={`${finished} of ${counts.total} finished: ${words}`}
    >
      {SEGMENTS.map((s) =>
        counts[s.key] > 0 ? (
          <span key={s.key} className={styles[s.key]} style={{ width: `${(counts[s.key] / total) * 100}%` }} data-segment={s.key} />
        ) : null,
      )}
    </div>
  );
}
