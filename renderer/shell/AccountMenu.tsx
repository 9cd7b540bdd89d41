import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import type { AccountSummaryView } from '../../electron/contract';
import { ErrorText } from '../components/ErrorText';
import { Icon } from '../components/Icon';
import { useCommand } from '../ipc/call';
import { navigate } from '../state/navigation';
import { selectAccounts } from '../state/selectors';
import { useAppState } from '../state/store';
import { useNow } from '../state/time';
import { sessionGlance } from './accountTone';
import styles from './AccountMenu.module.css';
import text from '../styles/text.module.css';

const KIND_LABEL = { chatgpt: 'ChatGPT', api_key: 'API key', custom: 'OAuth' } as const;

/**
 * The account pill: who is active and how long the session has left, coloured
 * by state on every screen; opens a menu of accounts (arrow keys, Escape).
 */
export function AccountMenu() {
  const accounts = useAppState(selectAccounts);
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const now = useNow(1000);
  const switcher = useCommand();
  const active = accounts.find((a) => a.active);
  const glance = sessionGlance(active, now);

  const close = (returnFocus: boolean) => {
    setOpen(false);
    if (returnFocus) button.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLElement>('[role^=menuitem]')?.focus();
    const outside = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', outside);
    return () => document.removeEventListener('mousedown', outside);
  }, [open]);

  const onMenuKey = (e: KeyboardEvent) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role^=menuitem]') ?? [])];
    const index = items.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => {
      e.preventDefault();
      items[(to + items.length) % items.length]?.focus();
    };
    if (e.key === 'ArrowDown') move(index + 1);
    else if (e.key === 'ArrowUp') move(index - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(items.length - 1);
    else if (e.key === 'Escape') {
      e.preventDefault();
      close(true);
    } else if (e.key === 'Tab') setOpen(false);
  };

  const choose = (account: AccountSummaryView) => {
    close(true);
    if (!account.active) void switcher.run('accounts.switch', { accountId: account.id });
  };

  return (
    <div className={styles.root} ref={root}>
      <button
        ref={button}
        type="button"
        className={styles.pill}
        data-tone={glance.tone}
        data-testid="account-pill"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? 'account-menu' : undefined}
        aria-label={`Account: ${active ? `${active.label}, ${glance.text}` : 'not signed in'}`}
        onClick={() => setOpen(!open)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && !open) {
            e.preventDefault();
            setOpen(true);
          }
        }}
      >
        <span className={styles.dot} aria-hidden="true" />
        <span className={styles.label}>{active ? active.label : 'Not signed in'}</span>
        {active && (
          <span className={styles.left} aria-hidden="true">
            {glance.text}
          </span>
        )}
        <Icon name="chevron" size={14} />
      </button>
      {open && (
        <div className={styles.menu} role="menu" id="account-menu" aria-label="Accounts" ref={menu} tabIndex={-1} onKeyDown={onMenuKey}>
          {accounts.map((account) => {
            const item = sessionGlance(account, now);
            return (
              <button
                key={account.id}
                type="button"
                role="menuitemradio"
                aria-checked={account.active}
                tabIndex={-1}
                className={styles.item}
                data-tone={item.tone}
                onClick={() => choose(account)}
              >
                <span className={styles.dot} aria-hidden="true" />
                <span className={styles.itemText}>
                  <strong>{account.label}</strong>
                  <span className={text.fineprint}>
                    {KIND_LABEL[account.kind]} · {item.text}
                  </span>
                </span>
                {account.active && <Icon name="check" size={16} />}
              </button>
            );
          })}
          {accounts.length > 0 && <hr className={styles.rule} />}
          <button
            type="button"
            role="menuitem"
            tabIndex={-1}
            className={styles.item}
            onClick={() => {
              close(false);
              navigate('account', 'manage-accounts');
            }}
          >
            <span className={styles.itemText}>
              <strong>Add or manage accounts…</strong>
            </span>
          </button>
        </div>
      )}
      <ErrorText error={switcher.error} />
    </div>
  );
}
