import { useEffect, useState } from 'react';
import type { AppState, ImageDetail, JobDetailView, JobItemView, JobSummaryView, PresetId } from '../../electron/contract';
import { call, useCommand } from '../api';
import { PlanIndicator } from '../components/PlanUsage';
import { formatCountdown } from '../hooks';
import { ErrorText } from '../components/ErrorText';

export function AnalyseScreen({ state }: { state: AppState }) {
  const [openJob, setOpenJob] = useState<string | null>(null);
  const { allowed: ready, reason } = state.account.can.analyse;
  return (
    <section className="screen" aria-labelledby="analyse-title">
      <h1 id="analyse-title">Analyse photos</h1>
      {!ready && (
        <p className="notice-inline notice-info">
          {reason} You can already add photos here.
        </p>
      )}
      <DropZone staged={state.analysis.staged} />
      {state.analysis.staged.length > 0 && <JobForm state={state} ready={ready} />}
      <JobList jobs={state.analysis.jobs} openJob={openJob} onOpen={setOpenJob} />
    </section>
  );
}

function DropZone({ staged }: { staged: AppState['analysis']['staged'] }) {
  const [over, setOver] = useState(false);
  const stage = useCommand();
  const pick = useCommand();
  return (
    <div
      className={over ? 'dropzone dropzone-over card' : 'dropzone card'}
      data-testid="dropzone"
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const files = [...e.dataTransfer.files];
        if (files.length === 0) return;
        void window.loupe.pathsForFiles(files).then((paths) => stage.run('analysis.stage', { paths }));
      }}
    >
      <p className="dropzone-title">Drop photos or folders here</p>
      <p className="muted">JPEG, PNG, WebP, GIF, AVIF, TIFF. Folders are searched inside.</p>
      <button type="button" className="button" onClick={() => void pick.run('analysis.pickImages', {})}>
        Add images…
      </button>
      {staged.length > 0 && (
        <ul className="staged" aria-label="Photos to analyse">
          {staged.map((item) => (
            <li key={item.path}>
              <span title={item.path}>{item.name}</span>
              <button type="button" className="link" aria-label={`Remove ${item.name}`} onClick={() => void call('analysis.unstage', { path: item.path })}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorText error={stage.error ?? pick.error} />
    </div>
  );
}

function JobForm({ state, ready }: { state: AppState; ready: boolean }) {
  const [preset, setPreset] = useState<PresetId>('describe');
  const [detail, setDetail] = useState<ImageDetail>(state.settings.analysisDetail);
  const [model, setModel] = useState<string>(state.models.selected ?? '');
  const [prompt, setPrompt] = useState('');
  const [schema, setSchema] = useState('');
  const [name, setName] = useState('');
  const [outputDir, setOutputDir] = useState('');
  const [concurrency, setConcurrency] = useState(state.settings.analysisConcurrency);
  const start = useCommand();
  const chosenModel = model || state.models.selected || '';
  const description = state.analysis.presets.find((p) => p.id === preset)?.description;
  return (
    <form
      className="card form job-form"
      aria-label="New analysis"
      onSubmit={(e) => {
        e.preventDefault();
        void start.run('analysis.start', {
          preset,
          detail,
          ...(chosenModel ? { model: chosenModel } : {}),
          ...(name.trim() ? { name: name.trim() } : {}),
          ...(outputDir.trim() ? { outputDir: outputDir.trim() } : {}),
          concurrency,
          ...(preset === 'custom' ? { customPrompt: prompt, ...(schema.trim() ? { customSchema: schema } : {}) } : {}),
        });
      }}
    >
      <div className="grid-2">
        <label className="field">
          <span>Preset</span>
          <select value={preset} onChange={(e) => setPreset(e.target.value as PresetId)}>
            {state.analysis.presets.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Model</span>
          <select value={chosenModel} onChange={(e) => setModel(e.target.value)} disabled={state.models.items.length === 0}>
            {state.models.items.length === 0 && <option value="">No models yet</option>}
            {state.models.items.map((m) => (
              <option key={m.slug} value={m.slug}>
                {m.displayName}
                {m.vision ? '' : ' (no image input)'}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Image detail</span>
          <select value={detail} onChange={(e) => setDetail(e.target.value as ImageDetail)}>
            <option value="auto">Auto</option>
            <option value="low">Low (cheaper)</option>
            <option value="high">High</option>
          </select>
        </label>
        <label className="field">
          <span>Job name (optional)</span>
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Flat 3 survey" maxLength={120} />
        </label>
        <label className="field">
          <span>Output folder (optional)</span>
          <input value={outputDir} onChange={(e) => setOutputDir(e.target.value)} placeholder={`${state.analysis.outputRoot}/<job name>`} spellCheck={false} />
        </label>
        <label className="field">
          <span>Most requests at once</span>
          <input type="number" min={1} max={64} value={concurrency} onChange={(e) => setConcurrency(Math.max(1, Math.min(64, Number(e.target.value) || 1)))} />
        </label>
      </div>
      {description && <p className="muted">{description}</p>}
      {preset === 'custom' && (
        <>
          <label className="field wide">
            <span>Prompt</span>
            <textarea rows={3} value={prompt} onChange={(e) => setPrompt(e.target.value)} placeholder="What should Loupe find out about each photo?" />
          </label>
          <label className="field wide">
            <span>JSON schema (optional)</span>
            <textarea rows={5} className="mono" value={schema} onChange={(e) => setSchema(e.target.value)} placeholder='{"type":"object","properties":{"label":{"type":"string"}},"required":["label"]}' />
          </label>
        </>
      )}
      {state.account.planUsage && <PlanIndicator />}
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={!ready || start.busy || !chosenModel}>
          Analyse {state.analysis.staged.length} {state.analysis.staged.length === 1 ? 'item' : 'items'}
        </button>
        <button type="button" className="button" onClick={() => void call('analysis.clearStaged', {})}>
          Clear
        </button>
      </div>
      <ErrorText error={start.error} />
    </form>
  );
}

const STATUS_LABEL: Record<JobSummaryView['status'], string> = {
  queued: 'Queued',
  running: 'Running',
  paused: 'Paused',
  done: 'Finished',
  failed: 'Failed',
  cancelled: 'Cancelled',
  stopped: 'Stopped',
};

function JobList({ jobs, openJob, onOpen }: { jobs: JobSummaryView[]; openJob: string | null; onOpen: (id: string | null) => void }) {
  if (jobs.length === 0) return null;
  return (
    <div className="jobs" aria-label="Jobs">
      <h2>Jobs</h2>
      {jobs.map((job) => (
        <JobCard key={job.id} job={job} open={openJob === job.id} onToggle={() => onOpen(openJob === job.id ? null : job.id)} />
      ))}
    </div>
  );
}

function JobCard({ job, open, onToggle }: { job: JobSummaryView; open: boolean; onToggle: () => void }) {
  const { run, error } = useCommand();
  const c = job.counts;
  const finished = c.done + c.failed + c.skipped;
  const active = job.status === 'running' || job.status === 'queued';
  return (
    <article className="card job" data-testid="job" data-status={job.status} aria-label={`Job ${job.name}`}>
      <header className="row spread">
        <div>
          <h3>{job.name}</h3>
          <p className="muted">
            {job.preset} · {job.model} · <span data-testid="job-status">{STATUS_LABEL[job.status]}</span>
          </p>
        </div>
        <div className="row">
          {active && (
            <button type="button" className="button" onClick={() => void run('analysis.pause', { jobId: job.id })}>
              Pause
            </button>
          )}
          {(job.status === 'paused' || job.status === 'stopped') && (
            <button type="button" className="button" onClick={() => void run('analysis.resume', { jobId: job.id })}>
              Resume
            </button>
          )}
          {(active || job.status === 'paused') && (
            <button type="button" className="button button-danger" onClick={() => void run('analysis.cancel', { jobId: job.id })}>
              Cancel
            </button>
          )}
          {c.failed > 0 && !active && (
            <button type="button" className="button" onClick={() => void run('analysis.retryFailed', { jobId: job.id })}>
              Retry failed
            </button>
          )}
        </div>
      </header>
      <progress className="bar" max={Math.max(1, c.total)} value={finished} aria-label={`${finished} of ${c.total} analysed`} />
      <dl className="job-facts">
        <div>
          <dt>Done</dt>
          <dd data-testid="job-done">{c.done}</dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd>{c.failed}</dd>
        </div>
        <div>
          <dt>Pending</dt>
          <dd>{c.pending + c.inFlight}</dd>
        </div>
        <div>
          <dt>ETA</dt>
          <dd>{active && job.etaMs !== null ? formatCountdown(job.etaMs) : '—'}</dd>
        </div>
        <div>
          <dt>Tokens</dt>
          <dd>{(job.tokens.input + job.tokens.output).toLocaleString()}</dd>
        </div>
        <div>
          <dt>Cost</dt>
          <dd>{job.costUsd === null ? 'no price set' : `$${job.costUsd.toFixed(job.costUsd < 1 ? 4 : 2)}`}</dd>
        </div>
      </dl>
      {job.stopReason && (
        <p className="notice-inline notice-warning" role="alert">
          {job.stopReason.message}{' '}
          {job.stopReason.link && (
            <button type="button" className="link" onClick={() => void call('app.openExternal', { url: job.stopReason!.link!.url })}>
              {job.stopReason.link.label}
            </button>
          )}
        </p>
      )}
      <div className="actions">
        <button type="button" className="button" onClick={onToggle} aria-expanded={open}>
          {open ? 'Hide results' : 'Show results'}
        </button>
        <button type="button" className="button" onClick={() => void run('analysis.openOutput', { jobId: job.id })}>
          Open output folder
        </button>
        <button type="button" className="button" onClick={() => void run('analysis.export', { jobId: job.id })}>
          Export CSV…
        </button>
      </div>
      <ErrorText error={error} />
      {open && <JobItems jobId={job.id} version={finished} />}
    </article>
  );
}

/** Items with thumbnails; re-fetched as the job progresses. */
function JobItems({ jobId, version }: { jobId: string; version: number }) {
  const [detail, setDetail] = useState<JobDetailView | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void call('analysis.getJob', { jobId }).then((d) => {
      if (live) setDetail(d);
    });
    return () => {
      live = false;
    };
  }, [jobId, version]);
  if (!detail) return <p className="muted">Loading…</p>;
  const item = detail.items.find((i) => i.id === selected);
  return (
    <div className="job-items">
      <ul className="thumbs" aria-label="Photos">
        {detail.items.map((i) => (
          <li key={i.id}>
            <button type="button" className={i.id === selected ? 'thumb thumb-selected' : 'thumb'} data-status={i.status} onClick={() => setSelected(i.id)} aria-label={`${i.name}: ${i.status}`}>
              {i.thumbnail ? <img src={i.thumbnail} alt="" /> : <span className="thumb-placeholder" aria-hidden="true" />}
              <span className="thumb-name">{i.name}</span>
              <span className={`pill pill-${i.status}`}>{i.status.replace('_', ' ')}</span>
            </button>
          </li>
        ))}
      </ul>
      {item && <ResultViewer item={item} />}
    </div>
  );
}

function ResultViewer({ item }: { item: JobItemView }) {
  const [raw, setRaw] = useState(false);
  return (
    <div className="result card" aria-label={`Result for ${item.name}`}>
      <div className="row spread">
        <h4>{item.name}</h4>
        <button type="button" className="link" onClick={() => setRaw(!raw)}>
          {raw ? 'Formatted' : 'Raw JSON'}
        </button>
      </div>
      {item.error && <p className="error">{item.error.message}</p>}
      {item.parseError && <p className="notice-inline notice-warning">The answer did not match the expected format ({item.parseError}); the raw text was kept.</p>}
      {raw ? (
        <pre className="mono raw">{item.result !== undefined ? JSON.stringify(item.result, null, 2) : (item.rawText ?? '')}</pre>
      ) : item.result !== undefined ? (
        <Fields value={item.result} />
      ) : (
        item.rawText && <pre className="mono raw">{item.rawText}</pre>
      )}
    </div>
  );
}

/** Renders a JSON value as nested fields a person can read. */
function Fields({ value }: { value: unknown }) {
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) return <span>{value.join(', ')}</span>;
    return (
      <ol className="fields-list">
        {value.map((v, i) => (
          <li key={i}>
            <Fields value={v} />
          </li>
        ))}
      </ol>
    );
  }
  if (value !== null && typeof value === 'object') {
    return (
      <dl className="fields">
        {Object.entries(value).map(([k, v]) => (
          <div key={k}>
            <dt>{k.replace(/_/g, ' ')}</dt>
            <dd>
              <Fields value={v} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return <span>{String(value)}</span>;
}
