/**
 * One owner per record: only accounts/repository.ts writes the vault. The
 * composition root may construct the Vault (and hand it to the repository),
 * nothing else may hold one.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, sourceFilesUnder } from '../../../support/source-tree';

const coreDir = join(repoRoot, 'electron', 'core');
const WRITERS = ['electron/core/accounts/repository.ts', 'electron/core/accounts/vault.ts'];
const HOLDERS = [...WRITERS, 'electron/core/index.ts'];

const VAULT_WRITE = /\bvault\s*\??\s*\.\s*(?:update|updateAccount|setWeakStorageAllowed)\s*[<(]/i;
const VAULT_IMPORT = /\bimport\b[^;]*\bVault\b[^;]*\bfrom\s*['"][^'"]*\/vault['"]/;

export const writesVault = (source: string) => VAULT_WRITE.test(source);
export const holdsVault = (source: string) => VAULT_IMPORT.test(source);

describe('only the account repository writes the vault', () => {
  it('recognises vault writes and holders (so the scan below can fail)', () => {
    expect(writesVault('await this.deps.vault.update((data) => ({ ...data, activeAccountId: id }));')).toBe(true);
    expect(writesVault('await deps.vault.updateAccount<OAuthAccount>(account.id, (a) => a);')).toBe(true);
    expect(writesVault('await vault?.setWeakStorageAllowed(true);')).toBe(true);
    expect(writesVault('await vault\n  .update((d) => d);')).toBe(true);
    expect(writesVault('await this.deps.records.completeSignIn(id, identity, tokens);')).toBe(false);
    expect(writesVault('hash.update(chunk);')).toBe(false);
    expect(writesVault('const active = this.deps.vault.active();')).toBe(false);
    expect(holdsVault("import { type Account, type Vault, isOAuthAccount } from './vault';")).toBe(true);
    expect(holdsVault("import type { Vault } from '../accounts/vault';")).toBe(true);
    expect(holdsVault("import type { Account, TokenSet } from '../accounts/vault';")).toBe(false);
  });

  it('no module under electron/core but the repository calls a vault write, and only the wiring holds a Vault', () => {
    const files = sourceFilesUnder(coreDir).map((file) => ({
      path: relative(repoRoot, file).split('\\').join('/'),
      source: readFileSync(file, 'utf8'),
    }));
    expect(files.length).toBeGreaterThan(20);
    expect(files.filter((f) => !WRITERS.includes(f.path) && writesVault(f.source)).map((f) => f.path)).toEqual([]);
    expect(files.filter((f) => !HOLDERS.includes(f.path) && holdsVault(f.source)).map((f) => f.path)).toEqual([]);
  });
});
