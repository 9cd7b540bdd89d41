import { useEffect, useRef, useState } from 'react';
import { type ImageDetail, type PresetId, SETTINGS_LIMITS } from '../../../electron/contract';
import { Button } from '../../components/Button';
import { ErrorText } from '../../components/ErrorText';
import { Field } from '../../components/Field';
import { PlanIndicator } from '../../components/PlanUsage';
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
  const [concurrency, setConcurrency] = useState(settings.analysisConcurrency);
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
            concurrency,
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
            <Field label="Most requests at once">
              <input
                type="number"
                min={limits.min}
                max={limits.max}
                value={concurrency}
                onChange={(e) => setConcurrency(Math.max(limits.min, Math.min(limits.max, Number(e.target.value) || limits.min)))}
              />
            </Field>
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
          </span>
        )}
        <ErrorText error={start.error} />
      </div>
    </>
  );
}
