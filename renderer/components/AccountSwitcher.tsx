import { useEffect, useRef, useState } from 'react';
import type { AccountSummaryView, AppState } from '../../electron/contract';
import { call } from '../api';
import { formatCountdown, useNow } from '../hooks';

const KIND_LABEL = { chatgpt: 'ChatGPT', api_key: 'API key', custom: 'OAuth' } as const;

/** The top-bar account menu: who is active, each account's status and expiry, and a way to add one. */
export function AccountSwitcher({ state, onManage }: { state: AppState; onManage: () => void }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const now = useNow(1000);
  const active = state.accounts.find((a) => a.active);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const escape = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', escape);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', escape);
    };
  }, [open]);
  return (
    <div className="switcher" ref={ref}>
      <button type="button" className="switcher-button" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)}>
        <StatusDot account={active} />
        <span>{active ? active.label : 'No account'}</span>
        <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div className="switcher-menu card" role="menu" aria-label="Accounts">
          {state.accounts.map((account) => (
            <button
              key={account.id}
              type="button"
              role="menuitemradio"
              aria-checked={account.active}
              className={account.active ? 'switcher-item switcher-item-active' : 'switcher-item'}
              onClick={() => {
                setOpen(false);
                if (!account.active) void call('accounts.switch', { accountId: account.id });
              }}
            >
              <StatusDot account={account} />
              <span className="switcher-label">
                <strong>{account.label}</strong>
                <span className="muted">
                  {KIND_LABEL[account.kind]} · {describe(account, now)}
                </span>
              </span>
              {account.active && <span aria-hidden="true">✓</span>}
            </button>
          ))}
          {state.accounts.length > 0 && <hr />}
          <button
            type="button"
            role="menuitem"
            className="switcher-item"
            onClick={() => {
              setOpen(false);
              onManage();
            }}
          >
            <span className="switcher-label">
              <strong>Add or manage accounts…</strong>
            </span>
          </button>
        </div>
      )}
    </div>
  );
}

function describe(account: AccountSummaryView, now: number): string {
  if (account.status === 'needs_sign_in') return 'needs sign-in';
  if (account.status === 'signed_out') return 'signed out';
  if (account.expiresAt === null) return 'ready';
  const left = account.expiresAt - now;
  return left > 0 ? `expires in ${formatCountdown(left)}` : 'token expired';
}

function StatusDot({ account }: { account: AccountSummaryView | undefined }) {
  const tone = !account ? 'off' : account.status === 'signed_in' ? 'ok' : account.status === 'needs_sign_in' ? 'bad' : 'off';
  return <span className={`status-dot status-${tone}`} aria-hidden="true" />;
}
