import { describe, expect, it } from 'vitest';
import type { AppState } from '../../../../electron/contract';
import { settleAfterEach } from '../../../../electron/core/commands/handlers';

describe('settleAfterEach', () => {
  it('settles after every command, answered or failed, before the answer goes back', async () => {
    const calls: string[] = [];
    const table = settleAfterEach(() => calls.push('settled'), {
      'app.getState': async () => {
        calls.push('ran');
        return {} as AppState;
      },
      'auth.cancelSignIn': async () => {
        calls.push('ran');
        throw new Error('refused');
      },
    });
    await table['app.getState']();
    calls.push('answered');
    await expect(table['auth.cancelSignIn']()).rejects.toThrow('refused');
    calls.push('answered');
    expect(calls).toEqual(['ran', 'settled', 'answered', 'ran', 'settled', 'answered']);
  });
});
