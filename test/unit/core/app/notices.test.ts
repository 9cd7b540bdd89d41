import { describe, expect, it } from 'vitest';
import type { Notice } from '../../../../electron/contract';
import { Notices } from '../../../../electron/core/app/notices';

const notice = (id: string): Notice => ({ id, level: 'warning', message: id });

describe('Notices', () => {
  it('shows each notice once, and tells when the list changed', () => {
    let changes = 0;
    const notices = new Notices([notice('a')], () => changes++);
    notices.addMissing([notice('a'), notice('b')]);
    expect(notices.list().map((n) => n.id)).toEqual(['a', 'b']);
    expect(changes).toBe(1);
    notices.addMissing([notice('b')]);
    expect(changes).toBe(1);
  });

  it('drops what no longer applies, and what the person dismissed', () => {
    const notices = new Notices([notice('vault-keychain-unavailable'), notice('settings-recovered')], () => {});
    notices.keep((n) => !n.id.startsWith('vault-'));
    expect(notices.list().map((n) => n.id)).toEqual(['settings-recovered']);
    notices.dismiss('settings-recovered');
    expect(notices.list()).toEqual([]);
  });

  it('holds its own copy of the list it started with', () => {
    const initial = [notice('a')];
    const notices = new Notices(initial, () => {});
    notices.dismiss('a');
    expect(initial).toHaveLength(1);
  });
});
