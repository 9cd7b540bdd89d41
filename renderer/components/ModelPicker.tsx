import type { ModelsView } from '../../electron/contract';
import { useCommand } from '../api';
import { PlanIndicator } from './PlanUsage';
import { ErrorText } from './ErrorText';

/** The default-model picker, with the "Using ChatGPT plan" indicator beside it as the ChatGPT UI rules ask. */
export function ModelPicker({ models, showPlan = true }: { models: ModelsView; showPlan?: boolean }) {
  const select = useCommand();
  const refresh = useCommand();
  return (
    <div className="model-picker">
      <label className="field">
        <span>Default model</span>
        <select
          aria-label="Default model"
          value={models.selected ?? ''}
          disabled={models.items.length === 0}
          onChange={(e) => void select.run('models.select', { slug: e.target.value })}
        >
          {models.items.length === 0 && <option value="">{models.status === 'loading' ? 'Loading models…' : 'No models'}</option>}
          {models.items.map((m) => (
            <option key={m.slug} value={m.slug}>
              {m.displayName}
              {m.vision ? ' · images' : ''}
            </option>
          ))}
        </select>
      </label>
      {showPlan && <PlanIndicator />}
      {models.status === 'error' && models.error && (
        <p className="error" role="alert">
          {models.error.message}{' '}
          <button type="button" className="link" onClick={() => void refresh.run('models.refresh', {})}>
            Retry
          </button>
        </p>
      )}
      <ErrorText error={select.error ?? refresh.error} />
    </div>
  );
}
