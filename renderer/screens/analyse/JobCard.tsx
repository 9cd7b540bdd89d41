import { useEffect, useRef, useState } from 'react';
import type { Ability, CommandError, CommandName, JobSummaryView } from '../../../electron/contract';
import { Button } from '../../components/Button';
import { ErrorText } from '../../components/ErrorText';
import { Notice } from '../../components/Notice';
import { asCommandError, call, useCommand } from '../../ipc/call';
import { BATCH_PHASE_LABEL, JOB_STATUS_LABEL } from '../../state/labels';
import { navigate } from '../../state/navigation';
import { modelName } from '../../state/selectors';
import { useAppState } from '../../state/store';
import { formatCountdown, useNow } from '../../state/time';
import { JobItems } from './JobItems';
import { SegmentedProgress } from './SegmentedProgress';
import styles from './JobCard.module.css';
import text from '../../styles/text.module.css';

type JobCommand = Extract<
  CommandName,
  | 'analysis.pause'
  | 'analysis.resume'
  | 'analysis.cancel'
  | 'analysis.undoCancel'
  | 'analysis.retryFailed'
  | 'analysis.retryUnparsed'
  | 'analysis.startRemaining'
  | 'analysis.remove'
  | 'analysis.openOutput'
  | 'analysis.export'
>;

/** One job: its progress and the actions the core allows now (`job.can`), never guessed from its status. */
export function JobCard({ job }: { job: JobSummaryView }) {
  const [open, setOpen] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const act = useCommand();
  const model = useAppState((s) => modelName(s, job.model));
  const preset = useAppState((s) => s.analysis.presets.find((p) => p.id === job.preset)?.label ?? job.preset);
  const c = job.counts;
  const can = job.can;
  const run = (command: JobCommand) => void act.run(command, { jobId: job.id });
  return (
    <article className={styles.job} data-testid="job" data-status={job.status} aria-labelledby={`job-${job.id}`}>
      <header className={styles.header}>
        <div className={styles.title}>
          {renaming ? <RenameForm job={job} onDone={() => setRenaming(false)} /> : <h3 id={`job-${job.id}`}>{job.name}</h3>}
          <p className={text.muted}>
            {preset} · {model} · {job.mode === 'batch' && <span data-testid="job-mode">Batch · </span>}
            <span data-testid="job-status" className={styles.status} data-status={job.status}>
              {job.undoCancelUntil !== null ? 'Cancelling' : JOB_STATUS_LABEL[job.status]}
            </span>
          </p>
        </div>
        <div className={styles.actions}>
          <JobButton ability={can.pause} onClick={() => run('analysis.pause')}>
            Pause
          </JobButton>
          <JobButton ability={can.resume} onClick={() => run('analysis.resume')}>
            Resume
          </JobButton>
          <JobButton ability={can.cancel} danger onClick={() => run('analysis.cancel')}>
            Cancel
          </JobButton>
          <JobButton ability={can.retryFailed} onClick={() => run('analysis.retryFailed')}>
            Retry failed
          </JobButton>
          <JobButton ability={can.retryUnparsed} onClick={() => run('analysis.retryUnparsed')}>
            Retry unreadable
          </JobButton>
        </div>
      </header>
      {job.undoCancelUntil !== null && <UndoCancel until={job.undoCancelUntil} onUndo={() => run('analysis.undoCancel')} />}
      {job.retrying && <Retrying retrying={job.retrying} />}
      {job.batch?.phase && <BatchPhase batch={job.batch} />}
      <SegmentedProgress counts={c} />
      <dl className={styles.facts}>
        <Fact label="Done" value={c.done} testId="job-done" />
        <Fact label="Unreadable" value={c.unparsed} testId="job-unparsed" />
        <Fact label="Failed" value={c.failed} testId="job-failed" />
        <Fact label="Skipped" value={c.skipped} testId="job-skipped" />
        <Fact label="Waiting" value={c.pending + c.inFlight} testId="job-waiting" />
        {c.notRun > 0 && <Fact label="Not analysed" value={c.notRun} testId="job-not-run" />}
        <Fact label="ETA" value={job.etaMs !== null ? formatCountdown(job.etaMs) : '—'} />
        <Fact label="Tokens" value={(job.tokens.input + job.tokens.output).toLocaleString()} />
        <div>
          <dt>Cost</dt>
          <dd>
            {job.costUsd === null ? (
              <Button variant="link" onClick={() => navigate('settings', 'prices')}>
                Set prices
              </Button>
            ) : (
              <>
                {usd(job.costUsd)}
                {job.batch && (
                  <span className={styles.discount} data-testid="job-discount">
                    {Math.round((1 - job.batch.priceFactor) * 100)} % off as a batch
                    {job.batch.liveCostUsd ? ` (${usd(job.batch.liveCostUsd)} live)` : ''}
                  </span>
                )}
              </>
            )}
          </dd>
        </div>
      </dl>
      {job.stopReason && <Notice level="warning">{job.stopReason.message}</Notice>}
      <div className={styles.actions}>
        <Button onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? 'Hide results' : 'Show results'}
        </Button>
        {can.analyseRemaining.allowed && (
          <Button variant="primary" onClick={() => run('analysis.startRemaining')}>
            Analyse remaining
          </Button>
        )}
        <Button onClick={() => run('analysis.openOutput')}>Open output folder</Button>
        <Button onClick={() => run('analysis.export')}>Export CSV…</Button>
        {can.rename.allowed && !renaming && <Button onClick={() => setRenaming(true)}>Rename…</Button>}
        {can.remove.allowed && (
          <Button onClick={() => run('analysis.remove')} title="Takes the job off this list; its output folder and files stay.">
            Remove from list
          </Button>
        )}
      </div>
      <ErrorText error={act.error} />
      {open && <JobItems job={job} />}
    </article>
  );
}

/** A job action shown only while the core allows it. */
function JobButton({ ability, danger, onClick, children }: { ability: Ability; danger?: boolean; onClick: () => void; children: string }) {
  if (!ability.allowed) return null;
  return (
    <Button variant={danger ? 'danger' : 'default'} onClick={onClick}>
      {children}
    </Button>
  );
}

function UndoCancel({ until, onUndo }: { until: number; onUndo: () => void }) {
  const now = useNow(500);
  const left = Math.max(0, Math.ceil((until - now) / 1000));
  return (
    <Notice
      level="info"
      role="status"
      testId="undo-cancel"
      actions={
        <Button variant="primary" onClick={onUndo}>
          Undo
        </Button>
      }
    >
      Job paused; it will be cancelled in {left} s.
    </Notice>
  );
}

const usd = (amount: number) => `$${amount.toFixed(amount < 1 ? 4 : 2)}`;

/** A batch job's state at OpenAI, as the core reports it. */
function BatchPhase({ batch }: { batch: NonNullable<JobSummaryView['batch']> }) {
  const progress =
    batch.progress && batch.progress.total > 0
      ? ` — OpenAI has answered ${batch.progress.done} of ${batch.progress.total}; Loupe collects them when the batch ends`
      : '';
  return (
    <p className={styles.batch} role="status" data-testid="job-batch" data-phase={batch.phase}>
      {BATCH_PHASE_LABEL[batch.phase!]}
      {progress}
    </p>
  );
}

function Retrying({ retrying }: { retrying: NonNullable<JobSummaryView['retrying']> }) {
  const now = useNow(1000);
  const wait = retrying.nextAt === null ? null : Math.max(0, Math.ceil((retrying.nextAt - now) / 1000));
  const what = retrying.count === 1 ? '' : ` (${retrying.count} photos waiting)`;
  return (
    <p className={styles.retrying} role="status" data-testid="job-retrying">
      {retrying.reason} — {wait === null ? 'retrying soon' : wait === 0 ? 'retrying now' : `retrying in ${wait} s`}
      {what}
    </p>
  );
}

function RenameForm({ job, onDone }: { job: JobSummaryView; onDone: () => void }) {
  const [name, setName] = useState(job.name);
  const [error, setError] = useState<CommandError | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  return (
    <form
      className={styles.rename}
      onSubmit={(e) => {
        e.preventDefault();
        const trimmed = name.trim();
        if (!trimmed || trimmed === job.name) return onDone();
        call('analysis.rename', { jobId: job.id, name: trimmed }).then(onDone, (failure: unknown) => setError(asCommandError(failure)));
      }}
    >
      <input
        ref={input}
        aria-label="Job name"
        value={name}
        maxLength={120}
        onChange={(e) => setName(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && onDone()}
      />
      <Button type="submit" variant="primary">
        Save
      </Button>
      <Button onClick={onDone}>Cancel</Button>
      <ErrorText error={error} />
    </form>
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
