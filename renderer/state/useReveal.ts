import { type RefObject, useEffect } from 'react';
import { type Reveal, revealed, useNavigation } from './navigation';

/** When the navigation asks to reveal `name`, scroll the element into view and focus it. */
export function useReveal(name: Exclude<Reveal, null>, ref: RefObject<HTMLElement | null>, enabled = true) {
  const { reveal } = useNavigation();
  useEffect(() => {
    if (!enabled || reveal !== name || !ref.current) return;
    ref.current.scrollIntoView({ block: 'start' });
    ref.current.focus({ preventScroll: true });
    revealed();
  }, [reveal, name, ref, enabled]);
}

/** Scroll a just-opened form into view and focus its first field. */
export function focusFirstField(container: HTMLElement | null) {
  if (!container) return;
  container.scrollIntoView({ block: 'nearest' });
  container.querySelector<HTMLElement>('input, select, textarea')?.focus({ preventScroll: true });
}
