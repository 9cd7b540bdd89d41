import { useState } from 'react';
import type { JobSummaryView } from '../../../electron/contract';
import { Button } from '../../components/Button';
import { ErrorText } from '../../components/ErrorText';
import { Notice } from '../../components/Notice';
import { useCommand } from '../../ipc/call';
import { JOB_STATUS_LABEL } from '../../state/labels';
import { navigate } from '../../state/navigation';
import { modelName } from '../../state/selectors';
import { useAppState } from '../../state/store';
import { formatCountdown } from '../../state/time';
import { JobItems } from './JobItems';
import { SegmentedProgress } from './SegmentedProgress';
import styles from './JobCard.module.css';
import text from '../../styles/text.module.css';

export function JobCard({ job }: { job: JobSummaryView }) {
  const [open, setOpen] = useState(false);
  const act = useCommand();
  const model = useAppState((s) => modelName(s, job.model));
  const preset = useAppState((s) => s.analysis.presets.find((p) => p.id === job.preset)?.label ?? job.preset);
  const c = job.counts;
  const active = job.status === 'running' || job.status === 'queued';
  const run = (command: 'analysis.pause' | 'analysis.resume' | 'analysis.cancel' | 'analysis.retryFailed' | 'analysis.openOutput' | 'analysis.export') =>
    void act.run(command, { jobId: job.id });
  return (
    <article className={styles.job} data-testid="job" data-status={job.status} aria-labelledby={`job-${job.id}`}>
      <header className={styles.header}>
        <div className={styles.title}>
          <h3 id={`job-${job.id}`}>{job.name}</h3>
          <p className={text.muted}>
            {preset} · {model} · <span data-testid="job-status" className={styles.status} data-status={job.status}>{JOB_STATUS_LABEL[job.status]}</span>
          </p>
        </div>
        <div className={styles.actions}>
          {active && <Button onClick={() => run('analysis.pause')}>Pause</Button>}
          {(job.status === 'paused' || job.status === 'stopped') && <Button onClick={() => run('analysis.resume')}>Resume</Button>}
          {(active || job.status === 'paused') && (
            <Button variant="danger" onClick={() => run('analysis.cancel')}>
              Cancel
            </Button>
          )}
          {c.failed > 0 && !active && <Button onClick={() => run('analysis.retryFailed')}>Retry failed</Button>}
        </div>
      </header>
      <SegmentedProgress counts={c} />
      <dl className={styles.facts}>
        <Fact label="Done" value={c.done} testId="job-done" />
        <Fact label="Failed" value={c.failed} testId="job-failed" />
        <Fact label="Skipped" value={c.skipped} testId="job-skipped" />
        <Fact label="Waiting" value={c.pending + c.inFlight} />
        <Fact label="ETA" value={active && job.etaMs !== null ? formatCountdown(job.etaMs) : '—'} />
        <Fact label="Tokens" value={(job.tokens.input + job.tokens.output).toLocaleString()} />
        <div>
          <dt>Cost</dt>
          <dd>
            {job.costUsd === null ? (
              <Button variant="link" onClick={() => navigate('settings', 'prices')}>
                Set prices
              </Button>
            ) : (
              `$${job.costUsd.toFixed(job.costUsd < 1 ? 4 : 2)}`
            )}
          </dd>
        </div>
      </dl>
      {job.stopReason && <Notice level="warning">{job.stopReason.message}</Notice>}
      <div className={styles.actions}>
        <Button onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? 'Hide results' : 'Show results'}
        </Button>
        <Button onClick={() => run('analysis.openOutput')}>Open output folder</Button>
        <Button onClick={() => run('analysis.export')}>Export CSV…</Button>
      </div>
      <ErrorText error={act.error} />
      {open && <JobItems job={job} />}
    </article>
  );
}

function Fact({ label, value, testId }: { label: string; value: string | number; testId?: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}
