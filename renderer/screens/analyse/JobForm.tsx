import { useEffect, useRef, useState } from 'react';
import {
  CONCURRENCY_AUTO,
  type ConcurrencySetting,
  type ImageDetail,
  type JobMode,
  type PresetId,
  SETTINGS_LIMITS,
} from '../../../electron/contract';
import { Button } from '../../components/Button';
import { ErrorText } from '../../components/ErrorText';
import { Field } from '../../components/Field';
import { PlanIndicator } from '../../components/PlanUsage';
import { RadioGroup } from '../../components/RadioGroup';
import { useCommand } from '../../ipc/call';
import { ariaShortcut, shortcutLabel } from '../../shell/screens';
import { selectAnalysis, selectCan, selectModels, selectSettings } from '../../state/selectors';
import { useAppState } from '../../state/store';
import styles from './JobForm.module.css';

/**
 * The choices for a new job: preset and model in view, the rest under
 * "Options"; the Analyse button sits in a bar that sticks to the bottom of the
 * window so it is visible however many photos are listed.
 */
export function JobForm() {
  const analysis = useAppState(selectAnalysis);
  const models = useAppState(selectModels);
  const settings = useAppState(selectSettings);
  const can = useAppState(selectCan);
  const planUsage = useAppState((s) => s.account.kind === 'chatgpt' && s.account.planUsage);
  const [preset, setPreset] = useState<PresetId>('describe');
  const [detail, setDetail] = useState<ImageDetail>(settings.analysisDetail);
  const [model, setModel] = useState('');
  const [prompt, setPrompt] = useState('');
  const [schema, setSchema] = useState('');
  const [name, setName] = useState('');
  // Empty: Automatic; a number: this job's ceiling.
  const [concurrency, setConcurrency] = useState(settings.analysisConcurrency === CONCURRENCY_AUTO ? '' : String(settings.analysisConcurrency));
  const [mode, setMode] = useState<JobMode>('live');
  // Offered only where the core says this account's server has a Batch API (`account.can.batch`).
  const batch = can.batch.allowed && mode === 'batch';
  const form = useRef<HTMLFormElement>(null);
  const start = useCommand();
  const pickFolder = useCommand();
  const chosenModel = model || models.selected || '';
  // The core's count of photos in what is staged (null while it is still checking).
  const count = analysis.stagedPhotoCount;
  const description = analysis.presets.find((p) => p.id === preset)?.description;
  const blocker = !can.analyse.allowed
    ? can.analyse.reason
    : !chosenModel
      ? 'Choose a model first.'
      : count === 0
        ? 'Nothing here is a photo Loupe can analyse.'
        : null;
  const limits = SETTINGS_LIMITS.analysisConcurrency;
  const ceiling: ConcurrencySetting =
    concurrency.trim() === '' ? CONCURRENCY_AUTO : Math.max(limits.min, Math.min(limits.max, Math.round(Number(concurrency)) || limits.min));

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
        e.preventDefault();
        form.current?.requestSubmit();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  return (
    <>
      <form
        ref={form}
        id="job-form"
        className={styles.form}
        aria-label="New analysis"
        onSubmit={(e) => {
          e.preventDefault();
          if (blocker || start.busy || count === null) return;
          void start.run('analysis.start', {
            preset,
            detail,
            ...(chosenModel ? { model: chosenModel } : {}),
            ...(name.trim() ? { name: name.trim() } : {}),
            concurrency: ceiling,
            ...(batch ? { mode: 'batch' as const } : {}),
            ...(preset === 'custom' ? { customPrompt: prompt, ...(schema.trim() ? { customSchema: schema } : {}) } : {}),
          });
        }}
      >
        <div className={styles.grid}>
          <Field label="Preset" hint={description}>
            <select value={preset} onChange={(e) => setPreset(e.target.value as PresetId)}>
              {analysis.presets.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.label}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Model">
            <select value={chosenModel} onChange={(e) => setModel(e.target.value)} disabled={models.items.length === 0}>
              {models.items.length === 0 && <option value="">{models.status === 'loading' ? 'Loading models…' : 'No models yet'}</option>}
              {models.items.map((m) => (
                <option key={m.slug} value={m.slug}>
                  {m.displayName}
                  {m.vision ? '' : ' (no image input)'}
                </option>
              ))}
            </select>
          </Field>
        </div>
        {can.batch.allowed && (
          <RadioGroup<JobMode>
            legend="Send"
            name="mode"
            testId="job-mode"
            value={mode}
            onChange={setMode}
            options={[
              { value: 'live', label: 'Live', hint: 'Each photo’s answer as soon as it is ready.' },
              { value: 'batch', label: 'Batch: half price, results within 24 h', hint: 'Sent together through OpenAI’s Batch API.' },
            ]}
          />
        )}
        {preset === 'custom' && (
          <>
            <Field label="Prompt">
              <textarea
                rows={3}
                value={prompt}
                onChange={(e) => setPrompt(e.target.value)}
                placeholder="What should Loupe find out about each photo?"
              />
            </Field>
            <Field label="JSON schema (optional)" hint="Answers that do not match are kept as raw text, never thrown away.">
              <textarea
                rows={4}
                className={styles.mono}
                value={schema}
                onChange={(e) => setSchema(e.target.value)}
                placeholder='{"type":"object","properties":{"label":{"type":"string"}},"required":["label"]}'
              />
            </Field>
          </>
        )}
        <details>
          <summary>Options</summary>
          <div className={styles.grid}>
            <Field label="Image detail" hint="Low is cheaper and faster; high reads small print.">
              <select value={detail} onChange={(e) => setDetail(e.target.value as ImageDetail)}>
                <option value="auto">Auto</option>
                <option value="low">Low (cheaper)</option>
                <option value="high">High</option>
              </select>
            </Field>
            <Field label="Job name (optional)">
              <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Flat 3 survey" maxLength={120} />
            </Field>
            {/* The folder comes from the system dialog (main process): the window never names a path itself. */}
            <Field label="Output folder" hint={pickFolder.error?.message}>
              <input readOnly value={analysis.pickedOutputDir ?? `${analysis.outputRoot}/<job name>`} spellCheck={false} />
            </Field>
            <Button onClick={() => void pickFolder.run('analysis.pickOutputDir', {})} disabled={pickFolder.busy}>
              Choose folder…
            </Button>
            {!batch && (
              <Field label="Most requests at once" hint="Empty: automatic (recommended), as many as the server allows.">
                <input
                  type="number"
                  inputMode="numeric"
                  min={limits.min}
                  max={limits.max}
                  placeholder="Automatic"
                  value={concurrency}
                  onChange={(e) => setConcurrency(e.target.value)}
                />
              </Field>
            )}
          </div>
        </details>
        {planUsage && <PlanIndicator />}
      </form>
      <div className={styles.actionBar} data-testid="action-bar">
        <Button
          type="submit"
          form="job-form"
          variant="primary"
          large
          disabled={!!blocker || start.busy || count === null}
          title={`Start (${shortcutLabel('Enter')})`}
          aria-keyshortcuts={ariaShortcut('Enter')}
          aria-describedby={blocker ? 'start-blocker' : undefined}
        >
          {count === null ? 'Counting photos…' : `Analyse ${count} ${count === 1 ? 'photo' : 'photos'}`}
        </Button>
        {blocker ? (
          <span id="start-blocker" className={styles.blocker}>
            {blocker}
          </span>
        ) : (
          <span className={styles.summary}>
            {analysis.presets.find((p) => p.id === preset)?.label ?? preset} ·{' '}
            {models.items.find((m) => m.slug === chosenModel)?.displayName ?? chosenModel} · detail {detail}
            {batch ? ' · batch, half price, within 24 h' : ''}
          </span>
        )}
        <ErrorText error={start.error} />
      </div>
    </>
  );
}
