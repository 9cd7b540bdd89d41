import { describe, expect, it } from 'vitest';
import { startupFailureMessage } from '../../../electron/shell/startup-failure';

describe('startupFailureMessage', () => {
  it('says what failed and where the log is', () => {
    const { title, content } = startupFailureMessage('opening the settings', new Error('EACCES: permission denied\n    at x'), '/logs/main.log');
    expect(title).toBe('Loupe could not start');
    expect(content).toContain('opening the settings');
    expect(content).toContain('EACCES: permission denied');
    expect(content).not.toContain('at x');
    expect(content).toContain('/logs/main.log');
  });
  it('copes with things thrown that are not errors', () => {
    expect(startupFailureMessage('x', 42, '/l').content).toContain('42');
  });
});
