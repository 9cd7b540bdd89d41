import { useEffect, useRef, useState } from 'react';
import type { JobStatus } from '../../electron/contract';
import { selectJobs } from '../state/selectors';
import { useAppState } from '../state/store';
import { JOB_STATUS_LABEL } from '../state/labels';

/** Tells screen readers when a job changes state (started, paused, finished…), politely and once. */
export function StatusAnnouncer() {
  const jobs = useAppState(selectJobs);
  const seen = useRef<Map<string, JobStatus> | null>(null);
  const [message, setMessage] = useState('');
  useEffect(() => {
    const previous = seen.current;
    seen.current = new Map(jobs.map((j) => [j.id, j.status]));
    // The first snapshot is history, not news.
    if (!previous) return;
    const changed = jobs.filter((j) => previous.get(j.id) !== j.status);
    if (changed.length === 0) return;
    setMessage(
      changed
        .map(
          (j) =>
            `${j.name}: ${JOB_STATUS_LABEL[j.status].toLowerCase()}, ${j.counts.done} of ${j.counts.total} done${j.counts.failed ? `, ${j.counts.failed} failed` : ''}.`,
        )
        .join(' '),
    );
  }, [jobs]);
  return (
    <div className="visually-hidden" role="status" aria-live="polite" data-testid="job-announcer">
      {message}
    </div>
  );
}
