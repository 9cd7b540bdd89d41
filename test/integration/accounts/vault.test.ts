import { randomBytes } from 'node:crypto';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNodeCipher } from '../../support/node-cipher';
import { useCoreFixtures, readTree, signInThroughBrowser } from '../../support/core-fixture';

const env = useCoreFixtures('loupe-vault-');
const { fixture } = env;

describe('vault', () => {
  it('persists the session encrypted (0600) so a restart stays signed in', async () => {
    const key = randomBytes(32);
    const fx = await fixture({ cipherKey: key });
    await signInThroughBrowser(fx);
    const vaultFile = join(env.dataDir, 'vault.json');
    expect((await stat(vaultFile)).mode & 0o777).toBe(0o600);
    const raw = await readFile(vaultFile, 'utf8');
    expect(raw).not.toContain('alice@example.com');
    expect(raw).not.toContain('oaiapp_');
    await fx.restart();
    expect(fx.core.getState().account).toMatchObject({ status: 'signed_in', email: 'alice@example.com', storage: 'keychain' });
    expect(await env.stack.auth.verifyAccessToken(await fx.session.accessToken())).not.toBeNull();
  });

  it("refuses Linux's basic_text backend: memory only, with an explanation", async () => {
    const fx = await fixture({ deps: { cipher: createNodeCipher({ backend: 'basic_text' }) } });
    expect(fx.core.getState().notices.map((n) => n.id)).toContain('vault-memory-only');
    await signInThroughBrowser(fx);
    expect(fx.core.getState().account).toMatchObject({ status: 'signed_in', storage: 'memory' });
    const files = await readTree(env.dataDir);
    expect(files.some((f) => f.path.endsWith('vault.json') && f.content.length > 2)).toBe(false);
    for (const secret of fx.secrets) for (const f of files) expect(f.content.includes(secret)).toBe(false);
  });

  it('keeps a weak vault only after the person opts in', async () => {
    const key = randomBytes(32);
    const weak = () => ({ deps: { cipher: createNodeCipher({ backend: 'basic_text', key }) }, cipherKey: key });
    const fx = await fixture(weak());
    await signInThroughBrowser(fx);
    expect((await fx.run('settings.update', { allowWeakStorage: true })).ok).toBe(true);
    expect(fx.core.getState().account.storage).toBe('weak');
    await fx.restart(weak());
    expect(fx.core.getState().account).toMatchObject({ status: 'signed_in', storage: 'weak' });
    await fx.run('settings.update', { allowWeakStorage: false });
    const vault = JSON.parse(await readFile(join(env.dataDir, 'vault.json'), 'utf8')) as Record<string, unknown>;
    expect(vault.vault).toBeUndefined();
  });

  it('a vault the keychain will not decrypt (another key, access denied) is left untouched, with Retry and Reset', async () => {
    const fx = await fixture({ cipherKey: randomBytes(32) });
    await signInThroughBrowser(fx);
    await env.dispose(fx);
    const before = await readFile(join(env.dataDir, 'vault.json'), 'utf8');
    const other = await fixture({ cipherKey: randomBytes(32) });
    const state = other.core.getState();
    expect(state.account.status).toBe('signed_out');
    const notice = state.notices.find((n) => n.id === 'vault-keychain-unavailable');
    expect(notice?.actions?.map((a) => a.command)).toEqual(['accounts.retryKeychain', 'accounts.resetVault']);
    expect(state.notices.some((n) => n.id === 'vault-recovered')).toBe(false);
    const names = await readdir(env.dataDir);
    expect(names.some((n) => n.startsWith('vault.json.corrupt-'))).toBe(false);
    expect(await readFile(join(env.dataDir, 'vault.json'), 'utf8')).toBe(before);
  });

  it.each([['{"vault": 42}'], ['{"vault": {"v": 2}}'], ['{{{ not json']])('survives a corrupt vault file: %s', async (contents) => {
    await writeFile(join(env.dataDir, 'vault.json'), contents);
    const fx = await fixture();
    const state = fx.core.getState();
    expect(state.account.status).toBe('signed_out');
    expect(state.notices.some((n) => n.id === 'vault-recovered')).toBe(true);
    const kept = (await readdir(env.dataDir)).find((n) => n.startsWith('vault.json.corrupt-'))!;
    expect(await readFile(join(env.dataDir, kept), 'utf8')).toBe(contents);
    expect((await signInThroughBrowser(fx)).state.account.status).toBe('signed_in');
  });

  it('with no keychain at all, keeps the session in memory and says so', async () => {
    const fx = await fixture({ deps: { cipher: createNodeCipher({ available: false }) } });
    expect(fx.core.getState().notices.some((n) => n.id === 'vault-memory-only')).toBe(true);
    await signInThroughBrowser(fx);
    expect(fx.core.getState().account.storage).toBe('memory');
  });
});
