import { useState } from 'react';
import { Button } from '../../components/Button';
import { ErrorText } from '../../components/ErrorText';
import { Check, Field } from '../../components/Field';
import { useCommand } from '../../ipc/call';
import styles from './AccountScreen.module.css';
import text from '../../styles/text.module.css';

/** Words for what is wrong with a base URL while it is typed; the core checks again when saving. */
export function urlProblem(value: string): string | null {
  if (!value.trim()) return 'Enter the server address, e.g. https://api.openai.com/v1';
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return 'This is not a web address. It starts with https://';
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:' && !loopback) return 'Use https:// (plain http is only allowed for this computer).';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'The address must start with https://';
  return null;
}

/** Adds an API key: checked by listing models, then saved encrypted. A failed check keeps what was typed. */
export function AddApiKeyForm({ onDone }: { onDone: () => void }) {
  const [label, setLabel] = useState('');
  const [baseUrl, setBaseUrl] = useState('https://api.openai.com/v1');
  const [apiKey, setApiKey] = useState('');
  const [chat, setChat] = useState(false);
  const { run, busy, error } = useCommand();
  const problem = urlProblem(baseUrl);
  const keyLooksShort = apiKey.trim().length > 0 && apiKey.trim().length < 8;
  return (
    <form
      className={styles.form}
      aria-label="Add an API key"
      onSubmit={(e) => {
        e.preventDefault();
        void run('accounts.addApiKey', { ...(label.trim() ? { label: label.trim() } : {}), baseUrl, apiKey, useChatCompletions: chat }).then((r) => {
          if (r) onDone();
        });
      }}
    >
      <Field label="Name (optional)">
        <input value={label} onChange={(e) => setLabel(e.target.value)} placeholder="e.g. Work API key" />
      </Field>
      <Field label="Base URL" error={problem}>
        <input value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} spellCheck={false} inputMode="url" />
      </Field>
      <Field
        label="API key"
        hint="OpenAI keys start with sk- (project keys with sk-proj-)."
        error={keyLooksShort ? 'That is too short for an API key.' : null}
      >
        <input type="password" value={apiKey} onChange={(e) => setApiKey(e.target.value)} autoComplete="off" spellCheck={false} placeholder="sk-…" />
      </Field>
      <Check label="Server has no Responses API: use Chat Completions" checked={chat} onChange={(e) => setChat(e.target.checked)} />
      <p className={text.fineprint}>Loupe checks the key by listing models, then stores it encrypted. It is never shown again.</p>
      <div className={styles.actions}>
        <Button type="submit" variant="primary" disabled={busy || !!problem || apiKey.trim().length < 8}>
          {busy ? 'Checking…' : 'Check and save'}
        </Button>
      </div>
      <ErrorText error={error} />
    </form>
  );
}
