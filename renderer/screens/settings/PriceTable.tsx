import { useState } from 'react';
import type { PriceRow } from '../../../electron/contract';
import { Button } from '../../components/Button';
import { ErrorText } from '../../components/ErrorText';
import { useCommand } from '../../ipc/call';
import { useAppState } from '../../state/store';
import { SavedTick } from './SavedTick';
import styles from './PriceTable.module.css';

/** USD per million tokens per model, for the cost estimate on jobs. */
export function PriceTable({ prices }: { prices: PriceRow[] }) {
  const [rows, setRows] = useState<PriceRow[]>(prices);
  const [saved, setSaved] = useState(0);
  const models = useModelSlugs();
  const { run, error, busy } = useCommand();
  const update = (index: number, patch: Partial<PriceRow>) => setRows(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));
  return (
    <div className={styles.prices}>
      <div className={styles.scroll}>
        <table className={styles.table}>
          <caption className="visually-hidden">Price per million tokens, in US dollars</caption>
          <thead>
            <tr>
              <th scope="col">Model (its id, e.g. gpt-5)</th>
              <th scope="col">Input $ / 1M</th>
              <th scope="col">Output $ / 1M</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr>
                <td colSpan={4} className={styles.empty}>
                  No prices yet.
                </td>
              </tr>
            )}
            {rows.map((row, i) => (
              <tr key={i}>
                <td>
                  <input
                    aria-label={`Model, row ${i + 1}`}
                    list="price-models"
                    value={row.model}
                    onChange={(e) => update(i, { model: e.target.value })}
                  />
                </td>
                <td>
                  <input
                    aria-label={`Input price, row ${i + 1}`}
                    type="number"
                    min={0}
                    step="0.01"
                    value={row.inputPerMillion}
                    onChange={(e) => update(i, { inputPerMillion: Number(e.target.value) })}
                  />
                </td>
                <td>
                  <input
                    aria-label={`Output price, row ${i + 1}`}
                    type="number"
                    min={0}
                    step="0.01"
                    value={row.outputPerMillion}
                    onChange={(e) => update(i, { outputPerMillion: Number(e.target.value) })}
                  />
                </td>
                <td>
                  <Button variant="link" aria-label={`Remove row ${i + 1}`} onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                    Remove
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <datalist id="price-models">
          {models.map((slug) => (
            <option key={slug} value={slug} />
          ))}
        </datalist>
      </div>
      <div className={styles.actions}>
        <Button onClick={() => setRows([...rows, { model: '', inputPerMillion: 0, outputPerMillion: 0 }])}>Add a model</Button>
        <Button
          variant="primary"
          disabled={busy}
          onClick={() =>
            void run('settings.update', { prices: rows.filter((r) => r.model.trim()) }).then((r) => {
              if (r) setSaved((k) => k + 1);
            })
          }
        >
          Save prices
        </Button>
        <SavedTick show={saved} />
      </div>
      <ErrorText error={error} />
    </div>
  );
}

function useModelSlugs(): string[] {
  const items = useAppState((s) => s.models.items);
  return items.map((m) => m.slug);
}
