import type { ModelView } from '../../../electron/contract';
import { Button } from '../../components/Button';
import { ErrorText } from '../../components/ErrorText';
import { Notice } from '../../components/Notice';
import { PlanIndicator } from '../../components/PlanUsage';
import { useCommand } from '../../ipc/call';
import { selectModels } from '../../state/selectors';
import { useAppState } from '../../state/store';
import { formatTime } from '../../state/time';
import styles from './ModelsScreen.module.css';
import text from '../../styles/text.module.css';
import { Screen } from '../../components/Screen';

export function ModelsScreen() {
  const models = useAppState(selectModels);
  const listModels = useAppState((s) => s.account.can.listModels);
  const planUsage = useAppState((s) => s.account.kind === 'chatgpt' && s.account.planUsage);
  const refresh = useCommand();
  const select = useCommand();
  if (!listModels.allowed) {
    return (
      <Screen labelledBy="models-title">
        <h1 id="models-title">Models</h1>
        <Notice level="info">{listModels.reason}</Notice>
      </Screen>
    );
  }
  return (
    <Screen labelledBy="models-title">
      <div className={styles.head}>
        <h1 id="models-title">Models</h1>
        <Button disabled={models.status === 'loading'} onClick={() => void refresh.run('models.refresh', {})}>
          {models.status === 'loading' ? 'Loading…' : 'Refresh'}
        </Button>
      </div>
      {planUsage && <PlanIndicator />}
      {models.status === 'error' && models.error && (
        <Notice
          level="error"
          role="alert"
          actions={
            <Button variant="link" onClick={() => void refresh.run('models.refresh', {})}>
              Retry
            </Button>
          }
        >
          {models.error.message}
          {models.items.length > 0 && models.fetchedAt ? ` Showing the list from ${formatTime(models.fetchedAt)}.` : ''}
        </Notice>
      )}
      <ErrorText error={refresh.error} />
      <fieldset className={styles.models}>
        <legend>Default model for new analyses</legend>
        {models.items.length === 0 && models.status !== 'error' && (
          <p className={text.muted}>{models.status === 'loading' ? 'Loading models…' : 'No models listed.'}</p>
        )}
        {models.items.map((model) => (
          <ModelRow
            key={model.slug}
            model={model}
            selected={models.selected === model.slug}
            onSelect={() => void select.run('models.select', { slug: model.slug })}
          />
        ))}
      </fieldset>
      <ErrorText error={select.error} />
      {models.fetchedAt && <p className={text.muted}>Updated {formatTime(models.fetchedAt)}</p>}
    </Screen>
  );
}

const SOURCE = { server: 'the server says so', known: 'known model family', override: 'set by you', unknown: 'not known' } as const;

function ModelRow({ model, selected, onSelect }: { model: ModelView; selected: boolean; onSelect: () => void }) {
  const vision = useCommand();
  const choice = model.visionSource === 'override' ? (model.vision ? 'images' : 'text') : 'auto';
  return (
    <div className={styles.model}>
      <label className={styles.pick}>
        <input type="radio" name="model" value={model.slug} checked={selected} onChange={onSelect} />
        <span className={styles.names}>
          <span className={styles.name}>{model.displayName}</span>
          {model.displayName !== model.slug && <code className={styles.slug}>{model.slug}</code>}
        </span>
      </label>
      <label
        className={styles.vision}
        title={`Detected: ${model.detectedVision ? 'images' : 'text only'}${model.visionSource === 'override' ? '' : ` (${SOURCE[model.visionSource]})`}`}
      >
        <span className={text.muted}>Image input</span>
        <select
          aria-label={`Image input for ${model.displayName}`}
          value={choice}
          onChange={(e) =>
            void vision.run('models.setVision', { slug: model.slug, vision: e.target.value === 'auto' ? null : e.target.value === 'images' })
          }
        >
          <option value="auto">{`Auto (${model.detectedVision ? 'images' : 'text only'})`}</option>
          <option value="images">Images</option>
          <option value="text">Text only</option>
        </select>
      </label>
      <ErrorText error={vision.error} />
    </div>
  );
}
