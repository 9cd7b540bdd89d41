import { describe, expect, it } from 'vitest';
import { requireConfirmation } from '../../../../electron/core/kernel/confirm';
import type { ConfirmOptions } from '../../../../electron/core/kernel/deps';

const question: ConfirmOptions = { title: 't', message: 'm', detail: 'd', confirmLabel: 'Go' };

describe('requireConfirmation', () => {
  it('goes on only when the person said yes, having asked exactly the question given', async () => {
    const asked: ConfirmOptions[] = [];
    await expect(requireConfirmation(async (o) => (asked.push(o), true), question)).resolves.toBeUndefined();
    expect(asked).toEqual([question]);
  });

  it('a no, or a dialog that failed to show, is not_confirmed', async () => {
    await expect(requireConfirmation(async () => false, question)).rejects.toMatchObject({ code: 'not_confirmed' });
    await expect(
      requireConfirmation(async () => {
        throw new Error('no window');
      }, question),
    ).rejects.toMatchObject({ code: 'not_confirmed' });
  });
});
