import { useEffect, useRef, useState } from 'react';
import { Button } from '../../components/Button';
import { useNavigation } from '../../state/navigation';
import { focusFirstField, useReveal } from '../../state/useReveal';
import { AddApiKeyForm } from './AddApiKeyForm';
import { AddCustomForm } from './AddCustomForm';
import styles from './AccountScreen.module.css';
import text from '../../styles/text.module.css';

type Adding = null | 'api_key' | 'custom';

/** The two ways in besides ChatGPT, as secondary buttons that open their form in place. */
export function AddAccount({ intro }: { intro: string }) {
  const { reveal } = useNavigation();
  const formFor = (r: typeof reveal): Adding => (r === 'add-api-key' ? 'api_key' : r === 'add-custom' ? 'custom' : null);
  const [adding, setAdding] = useState<Adding>(formFor(reveal));
  const form = useRef<HTMLDivElement>(null);
  // "Use an API key" from elsewhere opens its form here (adjusted while rendering, not in an effect).
  const [seenReveal, setSeenReveal] = useState(reveal);
  if (seenReveal !== reveal) {
    setSeenReveal(reveal);
    const next = formFor(reveal);
    if (next) setAdding(next);
  }
  useReveal('add-api-key', form);
  useReveal('add-custom', form);
  useEffect(() => {
    if (adding) focusFirstField(form.current);
  }, [adding]);
  const toggle = (kind: Exclude<Adding, null>) => setAdding(adding === kind ? null : kind);
  return (
    <div className={styles.stack}>
      <p className={text.muted}>{intro}</p>
      <div className={styles.actions}>
        <Button aria-expanded={adding === 'api_key'} onClick={() => toggle('api_key')}>
          Use an API key
        </Button>
        <Button aria-expanded={adding === 'custom'} onClick={() => toggle('custom')}>
          Use an OAuth provider
        </Button>
      </div>
      <div ref={form} className={styles.formSlot}>
        {adding === 'api_key' && <AddApiKeyForm onDone={() => setAdding(null)} />}
        {adding === 'custom' && <AddCustomForm onDone={() => setAdding(null)} />}
      </div>
    </div>
  );
}
