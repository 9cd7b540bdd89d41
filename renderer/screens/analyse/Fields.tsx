import styles from './Fields.module.css';

/** A JSON value as nested fields a person can read. */
export function Fields({ value }: { value: unknown }) {
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) return <span>{value.join(', ')}</span>;
    return (
      <ol className={styles.list}>
        {(value as unknown[]).map((v, i) => (
          <li key={i}>
            <Fields value={v} />
          </li>
        ))}
      </ol>
    );
  }
  if (value !== null && typeof value === 'object') {
    return (
      <dl className={styles.fields}>
        {Object.entries(value as Record<string, unknown>).map(([k, v]) => (
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
