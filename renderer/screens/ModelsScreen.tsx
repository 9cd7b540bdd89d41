import type { AppState } from '../../electron/contract';
import { useCommand } from '../api';
import { PlanIndicator } from '../components/PlanUsage';
import { formatTime } from '../hooks';
import { ErrorText } from '../components/ErrorText';

export function ModelsScreen({ state }: { state: AppState }) {
  const { models, account } = state;
  const refresh = useCommand();
  const select = useCommand();
  if (account.status !== 'signed_in') {
    return (
      <section className="screen">
        <h1>Models</h1>
        <p className="muted">Sign in to see the models your account can use.</p>
      </section>
    );
  }
  if (account.kind === 'chatgpt' && !account.planUsage) {
    return (
      <section className="screen">
        <h1>Models</h1>
        <p className="muted">ChatGPT plan usage is off, so Loupe makes no model requests. Enable it on the Account screen.</p>
      </section>
    );
  }
  return (
    <section className="screen" aria-labelledby="models-title">
      <div className="row spread">
        <h1 id="models-title">Models</h1>
        <button type="button" className="button" disabled={models.status === 'loading'} onClick={() => void refresh.run('models.refresh', {})}>
          {models.status === 'loading' ? 'Loading…' : 'Refresh'}
        </button>
      </div>
      {account.kind === 'chatgpt' && <PlanIndicator />}
      {models.status === 'error' && models.error && (
        <div className="notice-inline notice-error" role="alert">
          <span>
            {models.error.message}
            {models.items.length > 0 && models.fetchedAt ? ` Showing the list from ${formatTime(models.fetchedAt)}.` : ''}
          </span>{' '}
          <button type="button" className="link" onClick={() => void refresh.run('models.refresh', {})}>
            Retry
          </button>
        </div>
      )}
      <fieldset className="card models" aria-label="Default model">
        <legend className="muted">Default model for new analyses</legend>
        {models.items.length === 0 && models.status !== 'error' && <p className="muted">{models.status === 'loading' ? 'Loading models…' : 'No models listed.'}</p>}
        {models.items.map((model) => (
          <label key={model.slug} className="model">
            <input type="radio" name="model" value={model.slug} checked={models.selected === model.slug} onChange={() => void select.run('models.select', { slug: model.slug })} />
            <span className="model-name">{model.displayName}</span>
            <code className="muted">{model.slug}</code>
            <button
              type="button"
              className={model.vision ? 'badge badge-ok' : 'badge'}
              title={`Image input: ${model.vision ? 'yes' : 'no'} (${model.visionSource === 'server' ? 'the server says so' : model.visionSource === 'known' ? 'known model family' : model.visionSource === 'override' ? 'set by you; click to change' : 'unknown'})`}
              onClick={(e) => {
                e.preventDefault();
                void select.run('models.setVision', { slug: model.slug, vision: model.visionSource === 'override' && model.vision === false ? null : !model.vision });
              }}
            >
              {model.vision ? 'images' : 'text only'}
              {model.visionSource === 'override' ? ' *' : ''}
            </button>
          </label>
        ))}
      </fieldset>
      {models.fetchedAt && <p className="fineprint muted">Updated {formatTime(models.fetchedAt)}</p>}
      <ErrorText error={select.error} />
    </section>
  );
}
