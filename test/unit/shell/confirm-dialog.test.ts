import { describe, expect, it } from 'vitest';
import { confirmDialogOptions, createConfirm } from '../../../electron/shell/confirm-dialog';

const question = {
  title: 'Send your API key?',
  message: 'Loupe will send your key to another server.',
  detail: 'Only if you trust it.',
  confirmLabel: 'Send',
  origins: ['https://llm.example.com'],
};

describe('confirm dialog', () => {
  it('makes Cancel the default and the cancel answer, and names the origins', () => {
    const box = confirmDialogOptions(question);
    expect(box.buttons).toEqual(['Cancel', 'Send']);
    expect(box.defaultId).toBe(0);
    expect(box.cancelId).toBe(0);
    expect(box.detail).toContain('https://llm.example.com');
  });

  it('approves only when the person picks the confirm button', async () => {
    const answers = [0, 1];
    const shown: unknown[][] = [];
    const confirm = createConfirm(
      {
        showMessageBox: async (...args: unknown[]) => {
          shown.push(args);
          return { response: answers.shift()!, checkboxChecked: false };
        },
      },
      () => null,
    );
    expect(await confirm(question)).toBe(false);
    expect(await confirm(question)).toBe(true);
    expect(shown).toHaveLength(2);
  });
});
