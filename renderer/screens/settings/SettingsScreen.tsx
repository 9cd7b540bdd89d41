import { useRef, useState } from 'react';
import type { Theme } from '../../../electron/contract';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { ErrorText } from '../../components/ErrorText';
import { Check, Field } from '../../components/Field';
import { Notice } from '../../components/Notice';
import { useCommand } from '../../ipc/call';
import { selectSettings } from '../../state/selectors';
import { useAppState } from '../../state/store';
import { useReveal } from '../../state/useReveal';
import { ConcurrencySetting } from './ConcurrencySetting';
import { NumberSetting } from './NumberSetting';
import { PriceTable } from './PriceTable';
import { SavedTick } from './SavedTick';
import styles from './SettingsScreen.module.css';
import text from '../../styles/text.module.css';
import { Screen } from '../../components/Screen';

export function SettingsScreen() {
  const s = useAppState(selectSettings);
  const storage = useAppState((st) => st.account.storage);
  const prices = useRef<HTMLHeadingElement>(null);
  useReveal('prices', prices);
  return (
    <Screen labelledBy="settings-title" width="narrow">
      <h1 id="settings-title">Settings</h1>
      <Card>
        <h2>Appearance</h2>
        <ChoiceSetting<Theme>
          name="theme"
          label="Theme"
          value={s.theme}
          options={[
            ['system', 'Follow system'],
            ['light', 'Light'],
            ['dark', 'Dark'],
          ]}
        />
      </Card>
      <Card>
        <h2>Session</h2>
        <NumberSetting
          name="expiryWarningMinutes"
          value={s.expiryWarningMinutes}
          label="Warn when the session has less than (minutes)"
          hint="The account pill turns amber below this when the session can’t renew itself."
          unit="minutes"
        />
        <NumberSetting
          name="signInTimeoutMinutes"
          value={s.signInTimeoutMinutes}
          label="Give up waiting for the browser after (minutes)"
          unit="minutes"
        />
      </Card>
      <Card>
        <h2>Analysis</h2>
        <ConcurrencySetting value={s.analysisConcurrency} />
        <ChoiceSetting
          name="analysisDetail"
          label="Default image detail"
          value={s.analysisDetail}
          options={[
            ['auto', 'Auto'],
            ['low', 'Low (cheaper)'],
            ['high', 'High'],
          ]}
        />
        <h3 ref={prices} tabIndex={-1} className={styles.anchor}>
          Prices for the cost estimate
        </h3>
        <p className={text.muted}>
          Loupe cannot know what your account pays. Enter the price per million tokens for the models you use (from your provider's price list) and
          each job shows its cost; without a price it shows tokens only.
        </p>
        <PriceTable prices={s.prices} />
      </Card>
      <Card>
        <h2>Storage</h2>
        <p className={text.muted}>
          Sign-in tokens are encrypted with your system keychain. Where no keychain exists, Loupe keeps the session in memory only.
        </p>
        {storage !== 'keychain' && <WeakStorage allowed={s.allowWeakStorage} />}
      </Card>
      <details>
        <summary>Advanced</summary>
        <Card>
          <NumberSetting
            name="refreshMarginSeconds"
            value={s.refreshMarginSeconds}
            label="Renew the session this long before it expires (seconds)"
            unit="seconds"
          />
          <NumberSetting
            name="callbackPort"
            value={s.callbackPort}
            label="Sign-in callback port"
            hint="0 picks a free port each time. Set one only if your provider needs a fixed redirect address."
            unit="(0 or a port number)"
          />
        </Card>
      </details>
    </Screen>
  );
}

function ChoiceSetting<T extends string>({
  name,
  label,
  value,
  options,
}: {
  name: 'theme' | 'analysisDetail';
  label: string;
  value: T;
  options: Array<[T, string]>;
}) {
  const { run, error } = useCommand();
  const [saved, setSaved] = useState(0);
  return (
    <div className={styles.setting}>
      <Field label={label}>
        <select
          value={value}
          onChange={(e) =>
            void run('settings.update', { [name]: e.target.value }).then((r) => {
              if (r) setSaved((k) => k + 1);
            })
          }
        >
          {options.map(([v, text]) => (
            <option key={v} value={v}>
              {text}
            </option>
          ))}
        </select>
      </Field>
      <SavedTick show={saved} />
      <ErrorText error={error} />
    </div>
  );
}

function WeakStorage({ allowed }: { allowed: boolean }) {
  const [confirming, setConfirming] = useState(false);
  const { run, error } = useCommand();
  return (
    <>
      <Check
        label="Keep my sign-in on disk with weak encryption"
        checked={allowed}
        onChange={(e) => {
          if (e.target.checked) setConfirming(true);
          else void run('settings.update', { allowWeakStorage: false });
        }}
      />
      {confirming && (
        <Notice
          level="warning"
          role="alert"
          actions={
            <>
              <Button onClick={() => setConfirming(false)}>Keep in memory</Button>
              <Button
                variant="danger"
                onClick={() => {
                  setConfirming(false);
                  void run('settings.update', { allowWeakStorage: true });
                }}
              >
                Allow weak storage
              </Button>
            </>
          }
        >
          Without a keychain, the key that protects your tokens is the same on every computer. Anyone who can read your files could use your session.
          Only allow this on a computer you alone use.
        </Notice>
      )}
      <ErrorText error={error} />
    </>
  );
}
