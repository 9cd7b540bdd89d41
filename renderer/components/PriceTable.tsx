import { useState } from 'react';
import type { PriceRow } from '../../electron/contract';
import { useCommand } from '../api';
import { ErrorText } from './ErrorText';

/** USD per million tokens per model, for the cost estimate on jobs. */
export function PriceTable({ prices }: { prices: PriceRow[] }) {
  const [rows, setRows] = useState<PriceRow[]>(prices);
  const { run, error, busy } = useCommand();
  const update = (index: number, patch: Partial<PriceRow>) => setRows(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));
  return (
    <div className="prices">
      <table>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">Input $ / 1M tokens</th>
            <th scope="col">Output $ / 1M tokens</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              <td>
                <input aria-label="Model" value={row.model} onChange={(e) => update(i, { model: e.target.value })} />
              </td>
              <td>
                <input aria-label="Input price" type="number" min={0} step="0.01" value={row.inputPerMillion} onChange={(e) => update(i, { inputPerMillion: Number(e.target.value) })} />
              </td>
              <td>
                <input aria-label="Output price" type="number" min={0} step="0.01" value={row.outputPerMillion} onChange={(e) => update(i, { outputPerMillion: Number(e.target.value) })} />
              </td>
              <td>
                <button type="button" className="link" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="actions">
        <button type="button" className="button" onClick={() => setRows([...rows, { model: '', inputPerMillion: 0, outputPerMillion: 0 }])}>
          Add price
        </button>
        <button type="button" className="button button-primary" disabled={busy} onClick={() => void run('settings.update', { prices: rows.filter((r) => r.model.trim()) })}>
          Save prices
        </button>
      </div>
      <ErrorText error={error} />
    </div>
  );
}
