import { useState } from 'react';
import { CONCURRENCY_AUTO, type ConcurrencySetting as Value, SETTINGS_LIMITS } from '../../../electron/contract';
import { ErrorText } from '../../components/ErrorText';
import { RadioGroup } from '../../components/RadioGroup';
import { useCommand } from '../../ipc/call';
import { NumberSetting } from './NumberSetting';
import { SavedTick } from './SavedTick';
import styles from './SettingsScreen.module.css';

type Choice = 'auto' | 'ceiling';

/**
 * Requests at once: Automatic (no ceiling of the person's own: the core follows the server's rate ×
 * latency within its memory budget) or a number as a ceiling, whose bounds are the contract's.
 */
export function ConcurrencySetting({ value }: { value: Value }) {
  const { run, error } = useCommand();
  const [saved, setSaved] = useState(0);
  // The ceiling offered when switching back from Automatic: the last one set here, else the contract's suggestion.
  const [lastCeiling, setLastCeiling] = useState(value === CONCURRENCY_AUTO ? SETTINGS_LIMITS.analysisConcurrency.default : value);
  if (value !== CONCURRENCY_AUTO && value !== lastCeiling) setLastCeiling(value);
  const choose = async (choice: Choice) => {
    const next: Value = choice === 'auto' ? CONCURRENCY_AUTO : lastCeiling;
    if (next === value) return;
    if (await run('settings.update', { analysisConcurrency: next })) setSaved((k) => k + 1);
  };
  return (
    <div className={styles.concurrency}>
      <div className={styles.setting}>
        <RadioGroup<Choice>
          legend="Requests at once"
          name="analysisConcurrency"
          testId="concurrency-choice"
          value={value === CONCURRENCY_AUTO ? 'auto' : 'ceiling'}
          onChange={(choice) => void choose(choice)}
          options={[
            {
              value: 'auto',
              label: 'Automatic (recommended)',
              hint: 'As many as the server’s rate limits and its response time allow.',
            },
            { value: 'ceiling', label: 'At most a number I choose', hint: 'A ceiling, e.g. to leave room for other programs on a slow connection.' },
          ]}
        />
        <SavedTick show={saved} />
      </div>
      {value !== CONCURRENCY_AUTO && (
        <NumberSetting name="analysisConcurrency" value={value} label="Most requests at once" hint="Loupe adapts below this." unit="requests" />
      )}
      <ErrorText error={error} />
    </div>
  );
}
