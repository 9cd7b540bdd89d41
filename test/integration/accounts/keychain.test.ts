/**
 * Issue #8 item 4 and issue #10 item 4 (vault side): the Linux backend
 * allowlist, weak storage only after a main-process confirmation, "keychain
 * unavailable or access denied" (file untouched, Retry / Reset) told apart from
 * "vault corrupt" (set aside, deleted after the next sign-in or 30 days), and
 * safeStorage's re-encryption hint.
 */
import { randomBytes } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SET_ASIDE_KEEP_MS } from '../../../electron/core/accounts/vault/corrupt-copies';
import { Vault } from '../../../electron/core/accounts/vault/vault';
import type { Cipher } from '../../../electron/core/kernel/deps';
import { recordingConfirm } from '../../support/confirm';
import { useCoreFixtures, signInThroughBrowser } from '../../support/core-fixture';
import { ManualClock } from '../../support/manual-clock';
import { memoryStore } from '../../support/memory-store';
import { createNodeCipher } from '../../support/node-cipher';

const silent = { info() {}, warn() {}, error() {} };
const env = useCoreFixtures('loupe-keychain-');
const { fixture } = env;

/** A keychain the test can lock (isAvailable false) or make refuse access (decrypt throws), like safeStorage does. */
function switchableCipher(key: Buffer, options: { reEncryptOnce?: boolean } = {}) {
  const inner = createNodeCipher({ key });
  const control = { unavailable: false, denied: false, encrypts: 0, reEncryptOnce: options.reEncryptOnce ?? false };
  const cipher: Cipher = {
    isAvailable: async () => !control.unavailable,
    backend: () => 'gnome_libsecret',
    encrypt: async (plain) => {
      if (control.unavailable) throw new Error('Encryption is not available.');
      control.encrypts++;
      return inner.encrypt(plain);
    },
    decrypt: async (data) => {
      if (control.unavailable || control.denied) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      const result = (await inner.decrypt(data)) as string;
      if (control.reEncryptOnce) {
        control.reEncryptOnce = false;
        return { result, shouldReEncrypt: true };
      }
      return { result, shouldReEncrypt: false };
    },
  };
  return { cipher, control };
}

const vaultFile = () => join(env.dataDir, 'vault.json');
const corruptCopies = async () => (await readdir(env.dataDir)).filter((n) => n.startsWith('vault.json.corrupt-'));

describe('Linux safeStorage backends', () => {
  it.each([
    ['gnome_libsecret', 'keychain'],
    ['kwallet', 'keychain'],
    ['kwallet5', 'keychain'],
    ['kwallet6', 'keychain'],
    ['basic_text', 'memory'],
    ['unknown', 'memory'],
    ['something_new', 'memory'],
  ] as const)('%s → %s', async (backend, mode) => {
    const vault = await Vault.open({
      now: () => 1_767_225_600_000,
      cipher: createNodeCipher({ backend }),
      store: memoryStore(),
      allowWeakStorage: false,
      log: silent,
      platform: 'linux',
    });
    expect(vault.mode).toBe(mode);
    if (mode === 'memory') expect(vault.notices.map((n) => n.id)).toEqual(['vault-memory-only']);
  });

  it('the allowlist is Linux-only: macOS and Windows name their keychain', async () => {
    const vault = await Vault.open({
      now: () => 1_767_225_600_000,
      cipher: createNodeCipher({ backend: 'Keychain Access' }),
      store: memoryStore(),
      allowWeakStorage: false,
      log: silent,
      platform: 'darwin',
    });
    expect(vault.mode).toBe('keychain');
  });
});

describe('weak storage needs the main-process dialog', () => {
  it('settings.update cannot allow it on its own: declined leaves memory only', async () => {
    const confirm = recordingConfirm(() => false);
    const fx = await fixture({ deps: { cipher: createNodeCipher({ backend: 'basic_text' }), confirm } });
    await signInThroughBrowser(fx);
    const result = await fx.run('settings.update', { allowWeakStorage: true, theme: 'dark' });
    expect(result.error?.code).toBe('not_confirmed');
    expect(confirm.asked).toHaveLength(1);
    expect(confirm.asked[0]!.message).toContain('basic_text');
    const state = fx.core.getState();
    expect(state.settings.allowWeakStorage).toBe(false);
    expect(state.settings.theme).not.toBe('dark');
    expect(state.account.storage).toBe('memory');
  });

  it('confirmed: weak storage; turning it off again asks nothing', async () => {
    const confirm = recordingConfirm(() => true);
    const fx = await fixture({ deps: { cipher: createNodeCipher({ backend: 'unknown' }), confirm } });
    expect((await fx.run('settings.update', { allowWeakStorage: true })).ok).toBe(true);
    expect(fx.core.getState().account.storage).toBe('weak');
    expect((await fx.run('settings.update', { allowWeakStorage: false })).ok).toBe(true);
    expect(confirm.asked).toHaveLength(1);
  });
});

describe('keychain unavailable or access denied', () => {
  it.each(['unavailable', 'denied'] as const)('%s: the file is untouched; Retry brings the accounts back once the keychain answers', async (how) => {
    const key = randomBytes(32);
    const first = await fixture({ cipherKey: key });
    await signInThroughBrowser(first);
    await env.dispose(first);
    const saved = await readFile(vaultFile(), 'utf8');

    const { cipher, control } = switchableCipher(key);
    control[how] = true;
    const fx = await fixture({ deps: { cipher } });
    let state = fx.core.getState();
    expect(state.account.status).toBe('signed_out');
    expect(state.notices.find((n) => n.id === 'vault-keychain-unavailable')?.actions?.map((a) => a.label)).toEqual(['Retry', 'Reset']);
    expect(await corruptCopies()).toEqual([]);

    const still = await fx.run('accounts.retryKeychain');
    expect(still.error).toMatchObject({ code: 'keychain_unavailable', retryable: true });
    expect(await readFile(vaultFile(), 'utf8')).toBe(saved);

    control[how] = false;
    const retried = await fx.run('accounts.retryKeychain');
    expect(retried).toMatchObject({ ok: true, value: { storage: 'keychain' } });
    state = fx.core.getState();
    expect(state.account).toMatchObject({ status: 'signed_in', email: 'alice@example.com', storage: 'keychain' });
    expect(state.notices.some((n) => n.id === 'vault-keychain-unavailable')).toBe(false);
  });

  it('Reset asks in the dialog, then deletes the saved file and starts a vault that is saved again', async () => {
    const key = randomBytes(32);
    const first = await fixture({ cipherKey: key });
    await signInThroughBrowser(first);
    await env.dispose(first);

    const { cipher, control } = switchableCipher(key);
    control.denied = true;
    let answer = false;
    const confirm = recordingConfirm(() => answer);
    const fx = await fixture({ deps: { cipher, confirm } });
    const saved = await readFile(vaultFile(), 'utf8');
    expect((await fx.run('accounts.resetVault')).error?.code).toBe('not_confirmed');
    expect(await readFile(vaultFile(), 'utf8')).toBe(saved);

    answer = true;
    expect(await fx.run('accounts.resetVault')).toMatchObject({ ok: true, value: { storage: 'keychain' } });
    const after = JSON.parse(await readFile(vaultFile(), 'utf8')) as Record<string, unknown>;
    expect(after.vault).toBeDefined();
    expect(JSON.stringify(after)).not.toBe(saved);
    control.denied = false;
    await signInThroughBrowser(fx);
    await fx.restart({ deps: { cipher, confirm } });
    expect(fx.core.getState().account).toMatchObject({ status: 'signed_in', storage: 'keychain' });
  });
});

describe('the keychain fails mid-session', () => {
  it('an encryption failure keeps the change in memory, leaves the file as it was, and offers Retry', async () => {
    const key = randomBytes(32);
    const { cipher, control } = switchableCipher(key);
    const fx = await fixture({ deps: { cipher } });
    await signInThroughBrowser(fx);
    const saved = await readFile(vaultFile(), 'utf8');
    control.unavailable = true;
    expect((await fx.run('auth.refreshNow')).ok).toBe(true);
    await new Promise((r) => setImmediate(r));
    let state = fx.core.getState();
    expect(state.account).toMatchObject({ status: 'signed_in', storage: 'memory' });
    expect(state.notices.some((n) => n.id === 'vault-keychain-unavailable')).toBe(true);
    expect(await readFile(vaultFile(), 'utf8')).toBe(saved);

    control.unavailable = false;
    expect(await fx.run('accounts.retryKeychain')).toMatchObject({ ok: true, value: { storage: 'keychain' } });
    expect(await readFile(vaultFile(), 'utf8')).not.toBe(saved);
    const token = await fx.session.accessToken();
    await fx.restart({ deps: { cipher } });
    state = fx.core.getState();
    expect(state.account.status).toBe('signed_in');
    // The renewed session (not the one before the failure) was saved.
    expect(await fx.session.accessToken()).toBe(token);
  });
});

describe('a corrupt vault', () => {
  it('decrypting to something that is not a vault: set aside, then deleted after a new sign-in succeeded', async () => {
    const key = randomBytes(32);
    const garbage = await createNodeCipher({ key }).encrypt('{"version": 7, "accounts": "nope"}');
    await writeFile(vaultFile(), JSON.stringify({ vault: { v: 1, data: garbage.toString('base64') } }));
    const fx = await fixture({ cipherKey: key });
    const notice = fx.core.getState().notices.find((n) => n.id === 'vault-recovered');
    expect(notice?.message).toMatch(/deletes it after your next sign-in or in 30 days/);
    expect(await corruptCopies()).toHaveLength(1);
    await fx.restart();
    expect(await corruptCopies()).toHaveLength(1);
    await signInThroughBrowser(fx);
    expect(await corruptCopies()).toEqual([]);
  });

  it('is deleted 30 days after it was set aside even without a sign-in', async () => {
    const clock = new ManualClock();
    await writeFile(vaultFile(), '{{{ not json');
    const fx = await fixture({ clock });
    expect(await corruptCopies()).toHaveLength(1);
    const later = new ManualClock(clock.now() + SET_ASIDE_KEEP_MS - 60_000);
    await fx.restart({ deps: { clock: later } });
    expect(await corruptCopies()).toHaveLength(1);
    await fx.restart({ deps: { clock: new ManualClock(clock.now() + SET_ASIDE_KEEP_MS + 1) } });
    expect(await corruptCopies()).toEqual([]);
  });

  it('never deletes a file the ledger names outside its own set-aside copies', async () => {
    const bystander = join(env.dataDir, 'settings.json.keep');
    await writeFile(bystander, 'precious');
    await writeFile(
      vaultFile(),
      JSON.stringify({
        setAside: [
          { path: bystander, at: 0 },
          { path: '/etc/hostname', at: 0 },
        ],
      }),
    );
    const fx = await fixture();
    expect(fx.core.getState().account.status).toBe('signed_out');
    expect(await readFile(bystander, 'utf8')).toBe('precious');
  });
});

describe("safeStorage's re-encryption hint", () => {
  it('re-encrypts and saves the vault when decrypt says shouldReEncrypt', async () => {
    const key = randomBytes(32);
    const first = await fixture({ cipherKey: key });
    await signInThroughBrowser(first);
    await env.dispose(first);
    const before = await readFile(vaultFile(), 'utf8');

    const { cipher, control } = switchableCipher(key, { reEncryptOnce: true });
    const fx = await fixture({ deps: { cipher } });
    expect(control.encrypts).toBe(1);
    const after = await readFile(vaultFile(), 'utf8');
    expect(after).not.toBe(before);
    expect(fx.core.getState().account).toMatchObject({ status: 'signed_in', email: 'alice@example.com' });
    await fx.restart({ deps: { cipher } });
    expect(control.encrypts).toBe(1);
    expect(fx.core.getState().account.status).toBe('signed_in');
  });
});
