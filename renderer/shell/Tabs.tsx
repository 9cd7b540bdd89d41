import { type KeyboardEvent, useRef } from 'react';
import { Icon } from '../components/Icon';
import { navigate, useNavigation } from '../state/navigation';
import { SCREENS, ariaShortcut, shortcutLabel } from './screens';
import styles from './Tabs.module.css';

/** The screens as a tablist: arrow keys move between tabs; narrow windows show icons only. */
export function Tabs() {
  const { screen } = useNavigation();
  const refs = useRef<Array<HTMLButtonElement | null>>([]);
  const onKeyDown = (e: KeyboardEvent) => {
    const index = SCREENS.findIndex((s) => s.id === screen);
    const next =
      e.key === 'ArrowRight'
        ? (index + 1) % SCREENS.length
        : e.key === 'ArrowLeft'
          ? (index - 1 + SCREENS.length) % SCREENS.length
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? SCREENS.length - 1
              : -1;
    if (next < 0) return;
    e.preventDefault();
    navigate(SCREENS[next]!.id);
    refs.current[next]?.focus();
  };
  return (
    <div className={styles.tabs} role="tablist" aria-label="Sections" tabIndex={-1} onKeyDown={onKeyDown}>
      {SCREENS.map((s, i) => {
        const selected = s.id === screen;
        return (
          <button
            key={s.id}
            ref={(el) => {
              refs.current[i] = el;
            }}
            id={`tab-${s.id}`}
            type="button"
            role="tab"
            aria-selected={selected}
            aria-controls="screen"
            aria-keyshortcuts={ariaShortcut(s.key)}
            tabIndex={selected ? 0 : -1}
            title={`${s.label} (${shortcutLabel(s.key)})`}
            className={selected ? `${styles.tab} ${styles.selected}` : styles.tab}
            onClick={() => navigate(s.id)}
          >
            <Icon name={s.icon} />
            <span className={styles.label}>{s.label}</span>
          </button>
        );
      })}
    </div>
  );
}
