/**
 * The workflow linter `.ci/run` runs (build/lint-workflows.ts): the repository's workflows pass it, and a
 * broken copy of one fails it, once per kind of mistake, through the same command CI runs.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { lintWorkflows } from '../../../build/lint-workflows';

const repo = join(import.meta.dirname, '../../..');
const workflows = join(repo, '.github/workflows');
const ci = readFileSync(join(workflows, 'ci.yml'), 'utf8');

/** ci.yml with one edit, in a folder of its own. */
function broken(edit: (source: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-workflows-'));
  const source = edit(ci);
  expect(source, 'the edit changed nothing').not.toBe(ci);
  writeFileSync(join(dir, 'ci.yml'), source);
  return dir;
}

describe('lint:workflows', () => {
  it("passes the repository's workflows", async () => {
    expect(await lintWorkflows(workflows)).toEqual([]);
  });

  it.each([
    ['a misspelt step key', (s: string) => s.replace('timeout-minutes: 75', 'timeout-minute: 75'), 'syntax-check'],
    [
      'a matrix value that does not exist',
      (s: string) => s.replace('--${{ matrix.arch }} --publish', '--${{ matrix.archs }} --publish'),
      'expression',
    ],
    ['an input the action does not have', (s: string) => s.replace('node-version: 22', 'node-versions: 22'), 'action'],
    ['a context not available where it is used', (s: string) => s.replace("matrix.target == 'linux' &&", "runner.os == 'Linux' &&"), 'expression'],
    ['an unknown runner', (s: string) => s.replace('os: windows-2025', 'os: windows-2099'), 'runner-label'],
  ])('fails on %s', async (_what, edit, kind) => {
    const findings = await lintWorkflows(broken(edit));
    expect(findings.map((f) => f.kind)).toContain(kind);
  });

  it('fails on a folder with no workflow in it', async () => {
    expect(await lintWorkflows(mkdtempSync(join(tmpdir(), 'loupe-workflows-')))).toEqual([expect.objectContaining({ kind: 'no-workflows' })]);
  });

  it('the command CI runs exits 1 on a broken workflow (on the real ones `.ci/run` runs it)', async () => {
    const run = (dir: string) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', join(repo, 'build/lint-workflows.ts'), dir], { cwd: repo }).then(
        () => 0,
        (error: { code?: number }) => error.code ?? -1,
      );
    expect(await run(broken((s) => s.replace('runs-on: ${{ matrix.os }}', 'runs-on: ${{ matrix.oss }}')))).toBe(1);
  });
});
