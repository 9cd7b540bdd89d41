/**
 * Issue #14, item 3: error messages are for people. `invalid_input` names the
 * field in a bounded form, however large or strange the input.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNodeDeps } from '../support/node-deps';
import { dispatchCommand, dispatchOffered } from '../../electron/core/kernel/dispatch';
import { bounded, boundCommandError, fieldPath } from '../../electron/core/kernel/errors';
import { type Core, createCore } from '../../electron/core/index';

const MAX = 500;
let dir: string;
let core: Core;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-messages-'));
  core = await createCore(createNodeDeps(dir, { openExternal: async () => {} }));
});
afterEach(async () => {
  await core.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function invalid(command: string, input: unknown) {
  const result = await dispatchCommand(core, command, structuredClone(input));
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error('accepted');
  expect(result.error.code).toBe('invalid_input');
  expect(result.error.message.length).toBeLessThanOrEqual(MAX);
  expect(JSON.stringify(result).length).toBeLessThan(1000);
  return result.error;
}

describe('invalid_input stays short', () => {
  it('10,000 unknown keys: a few are named, the rest counted', async () => {
    const input = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`unknown${i}`, i]));
    const error = await invalid('settings.update', input);
    expect(error.message).toMatch(/unknown fields "unknown0", "unknown1", "unknown2" and 9997 more/);
  });

  it('a 1 MB key is shortened, in the message and in the field', async () => {
    const key = 'k'.repeat(1024 * 1024);
    const unknown = await invalid('settings.update', { [key]: 1 });
    expect(unknown.message).toMatch(/unknown field "k+…"/);
    const nested = await invalid('accounts.addCustom', {
      label: 'x',
      clientId: 'c',
      scopes: '',
      apiBase: 'https://a.example',
      extraParams: { [key]: 42 },
    });
    expect(nested.field!.length).toBeLessThanOrEqual(120);
    expect(nested.field).toMatch(/^extraParams\.k+…$/);
  });

  it('deep paths and control or bidi characters in keys come back bounded and visible', async () => {
    const error = await invalid('accounts.addCustom', {
      label: 'x',
      clientId: 'c',
      scopes: '',
      apiBase: 'https://a.example',
      extraParams: { 'a\u202Eb\u0000c\n': 1 },
    });
    expect(error.field).toBe('extraParams.a\uFFFDb\uFFFDc\uFFFD');
    const dropped = await dispatchOffered(core, { paths: Array.from({ length: 20_000 }, () => '') });
    expect(dropped).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'paths' } });
    expect(JSON.stringify(dropped).length).toBeLessThan(1000);
  });

  it('a huge wrong value is never echoed', async () => {
    const error = await invalid('settings.update', { theme: 'x'.repeat(1_000_000) });
    expect(error.field).toBe('theme');
    expect(error.message).not.toContain('xxxxxxxxxx');
  });
});

describe('bounding helpers', () => {
  it('never split a surrogate pair and mark the cut', () => {
    const cut = bounded(`${'a'.repeat(9)}😀😀`, 11);
    expect(cut).toBe(`${'a'.repeat(9)}…`);
    expect(bounded('short', 10)).toBe('short');
    expect(fieldPath(['a', 0, 'b'])).toBe('a.0.b');
  });

  it('boundCommandError keeps the shape and caps every string', () => {
    const error = boundCommandError({ code: 'invalid_input', message: 'm'.repeat(100_000), field: 'f'.repeat(10_000), retryable: true });
    expect(error.code).toBe('invalid_input');
    expect(error.message.length).toBeLessThanOrEqual(400);
    expect(error.field!.length).toBeLessThanOrEqual(120);
    expect(error.retryable).toBe(true);
    expect(Object.keys(boundCommandError({ code: 'internal', message: 'y' })).sort()).toEqual(['code', 'message']);
  });
});
