import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNodeDeps } from '../../../support/node-deps';
import { silentLogger } from '../../../../electron/core/kernel/deps';
import { dispatchCommand } from '../../../../electron/core/kernel/dispatch';
import { LoupeError } from '../../../../electron/core/kernel/errors';
import { type Core, createCore } from '../../../../electron/core/index';

let dir: string;
let core: Core;
const opened: string[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-dispatch-'));
  opened.length = 0;
  core = await createCore(createNodeDeps(dir, { openExternal: async (url) => void opened.push(url) }));
});
afterEach(async () => {
  await core.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('dispatchCommand', () => {
  it('runs a valid command and returns its value', async () => {
    const result = await dispatchCommand(core, 'settings.update', { expiryWarningMinutes: 15 });
    expect(result).toEqual({ ok: true, value: expect.objectContaining({ expiryWarningMinutes: 15 }) });
    expect(core.getState().settings.expiryWarningMinutes).toBe(15);
  });

  it('answers a malformed payload with invalid_input naming the field', async () => {
    const result = await dispatchCommand(core, 'settings.update', { expiryWarningMinutes: 'soon' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_input');
    expect(result.error.field).toBe('expiryWarningMinutes');
    expect(result.error.message).toContain('expiryWarningMinutes');
    expect(core.getState().settings.expiryWarningMinutes).toBe(10);
  });

  it.each([
    ['a non-object input', 'settings.update', 42],
    ['a missing input', 'app.getState', undefined],
    ['an unknown extra field', 'settings.update', { theme: 'dark', tokens: 'x' }],
    ['an out-of-range number', 'settings.update', { refreshMarginSeconds: 5 }],
    ['an array instead of an object', 'notices.dismiss', ['id']],
    ['a prototype-polluting key', 'settings.update', JSON.parse('{"__proto__": {"admin": true}}')],
  ])('rejects %s', async (_name, command, input) => {
    const result = await dispatchCommand(core, command, input);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('rejects commands that are not in the contract, including inherited names', async () => {
    for (const command of ['shell.exec', 'toString', '__proto__', 42, null]) {
      const result = await dispatchCommand(core, command, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
    }
  });

  it('maps a LoupeError to its code and message', async () => {
    const result = await dispatchCommand(core, 'app.openExternal', { url: 'https://evil.example/phish' });
    expect(result).toEqual({ ok: false, error: { code: 'not_allowed', message: expect.any(String) } });
    expect(opened).toEqual([]);
  });

  it('opens allow-listed pages', async () => {
    const result = await dispatchCommand(core, 'app.openExternal', { url: 'https://chatgpt.com/settings/usage' });
    expect(result.ok).toBe(true);
    expect(opened).toEqual(['https://chatgpt.com/settings/usage']);
  });

  it('never leaks the message of an unexpected error', async () => {
    const secret = 'sk-live-very-secret-token';
    core.commands['app.getState'] = async () => {
      throw new Error(`boom ${secret}`);
    };
    const logged: string[] = [];
    const log = { ...silentLogger, error: (message: string, fields?: Record<string, unknown>) => void logged.push(message + JSON.stringify(fields)) };
    const result = await dispatchCommand(core, 'app.getState', {}, log);
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(logged.join('\n')).not.toContain(secret);
    expect(logged.length).toBe(1);
  });

  it('keeps LoupeError fields', () => {
    const error = new LoupeError('network_error', 'Could not reach the server.', { retryable: true });
    expect(error.toCommandError()).toEqual({ code: 'network_error', message: 'Could not reach the server.', retryable: true });
  });
});
