import { ErrorText } from '../../components/ErrorText';
import { Field } from '../../components/Field';
import { Button } from '../../components/Button';
import { PlanIndicator } from '../../components/PlanUsage';
import { useCommand } from '../../ipc/call';
import { selectModels } from '../../state/selectors';
import { useAppState } from '../../state/store';
import styles from './AccountScreen.module.css';

/** The default-model picker, with "Using ChatGPT plan" beside it as the SIWC rules ask. */
export function ModelPicker({ showPlan }: { showPlan: boolean }) {
  const models = useAppState(selectModels);
  const select = useCommand();
  const refresh = useCommand();
  return (
    <div className={styles.stack}>
      <Field label="Default model">
        <select
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
      </Field>
      {showPlan && <PlanIndicator />}
      {models.status === 'error' && models.error && (
        <p role="alert">
          {models.error.message}{' '}
          <Button variant="link" onClick={() => void refresh.run('models.refresh', {})}>
            Retry
          </Button>
        </p>
      )}
      <ErrorText error={select.error ?? refresh.error} />
    </div>
  );
}
