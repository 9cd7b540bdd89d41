import { useId } from 'react';
import styles from './RadioGroup.module.css';

export interface RadioOption<T extends string> {
  value: T;
  label: string;
  /** A line under the label, read with it by screen readers. */
  hint?: string;
}

/**
 * A labelled group of radio buttons (a fieldset with its legend), each option
 * with an optional hint it is described by. Arrow keys move between options.
 */
export function RadioGroup<T extends string>({
  legend,
  name,
  value,
  options,
  onChange,
  testId,
}: {
  legend: string;
  name: string;
  value: T;
  options: ReadonlyArray<RadioOption<T>>;
  onChange(value: T): void;
  testId?: string;
}) {
  const id = useId();
  return (
    <fieldset className={styles.group} data-testid={testId}>
      <legend className={styles.legend}>{legend}</legend>
      <div className={styles.options}>
        {options.map((option) => {
          const hintId = option.hint ? `${id}-${option.value}-hint` : undefined;
          return (
            <label key={option.value} className={styles.option} data-checked={option.value === value}>
              <input
                type="radio"
                name={`${name}-${id}`}
                value={option.value}
                checked={option.value === value}
                onChange={() => onChange(option.value)}
                aria-describedby={hintId}
              />
              <span className={styles.text}>
                <span className={styles.label}>{option.label}</span>
                {option.hint && (
                  <span className={styles.hint} id={hintId}>
                    {option.hint}
                  </span>
                )}
              </span>
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}
