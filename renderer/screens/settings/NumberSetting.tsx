import { useState } from 'react';
import { type LimitedSetting, SETTINGS_LIMITS } from '../../../electron/contract';
import { Field } from '../../components/Field';
import { useCommand } from '../../ipc/call';
import { SavedTick } from './SavedTick';
import styles from './SettingsScreen.module.css';

/**
 * A whole-number setting saved when the field is left. A value out of range is
 * explained beside the field in plain words and the field goes back to the
 * last saved value; a tick confirms a save. The range is SETTINGS_LIMITS'.
 */
export function NumberSetting({
  name,
  value,
  label,
  hint,
  unit,
}: {
  name: LimitedSetting;
  value: number;
  label: string;
  hint?: string;
  unit: string;
}) {
  // The bounds are the contract's (the same ones the core's schema enforces), never a copy.
  const { min, max } = SETTINGS_LIMITS[name];
  const [text, setText] = useState(String(value));
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(0);
  const { run } = useCommand();
  // A new value from the core replaces the field's text (adjusted while rendering, not in an effect).
  const [shownValue, setShownValue] = useState(value);
  if (shownValue !== value) {
    setShownValue(value);
    setText(String(value));
  }
  const save = async () => {
    const n = Number(text.trim());
    if (text.trim() === String(value)) return;
    if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      setProblem(`Enter ${min}–${max} ${unit}.`);
      setText(String(value));
      return;
    }
    const result = await run('settings.update', { [name]: n });
    if (result) {
      setProblem(null);
      setSaved((k) => k + 1);
    } else {
      setProblem(`Not saved. Enter ${min}–${max} ${unit}.`);
      setText(String(value));
    }
  };
  return (
    <div className={styles.setting}>
      <Field label={label} hint={hint} error={problem}>
        <input
          type="number"
          inputMode="numeric"
          min={min}
          max={max}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setProblem(null);
          }}
          onBlur={() => void save()}
          onKeyDown={(e) => {
            if (e.key === 'Enter') void save();
          }}
        />
      </Field>
      <SavedTick show={saved} />
    </div>
  );
}
