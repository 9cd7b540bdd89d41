import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { ErrorText } from '../../components/ErrorText';
import { useCommand } from '../../ipc/call';
import { selectAccount } from '../../state/selectors';
import { useAppState } from '../../state/store';
import { ModelPicker } from './ModelPicker';
import styles from './AccountScreen.module.css';

export function ApiKeyAccount() {
  const account = useAppState(selectAccount);
  const remove = useCommand();
  return (
    <Card>
      <h1 id="account-title">{account.label}</h1>
      <p className={styles.status} data-testid="account-status" data-status={account.status}>
        API key account
      </p>
      <dl className={styles.facts}>
        <div>
          <dt>Server</dt>
          <dd>{account.baseUrl}</dd>
        </div>
        <div>
          <dt>Key</dt>
          <dd>Stored encrypted; never shown</dd>
        </div>
      </dl>
      <ModelPicker showPlan={false} />
      <div className={styles.actions}>
        <Button variant="danger" disabled={remove.busy} onClick={() => void remove.run('accounts.forget', { accountId: account.id! })}>
          Remove key
        </Button>
      </div>
      <ErrorText error={remove.error} />
    </Card>
  );
}
