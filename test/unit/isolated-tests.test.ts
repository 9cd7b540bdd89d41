/**
 * test/isolated-tests.ts: every integration test file that replaces modules
 * or process-wide globals runs isolated, since the integration project shares
 * each worker's module cache between files. The scanner is shown to fire.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ISOLATED_TESTS, REPLACES_GLOBALS } from '../isolated-tests';

const repo = fileURLToPath(new URL('../..', import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(join(repo, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => relative(repo, join(e.parentPath, e.name)).split('\\').join('/'));
}

describe('isolated integration tests', () => {
  it('the scanner recognises what changes the process for later files, and not ordinary use of vi', () => {
    for (const line of ["vi.mock('../x')", 'vi.spyOn(fs, "readFile")', "vi.useFakeTimers({ toFake: ['Date'] })", 'vi.stubGlobal("fetch", f)'])
      expect(REPLACES_GLOBALS.test(line), line).toBe(true);
    for (const line of ['vi.fn()', 'expect(x).toBe(1)', 'const v = vital.mock']) expect(REPLACES_GLOBALS.test(line), line).toBe(false);
  });

  it('lists every integration test file that replaces modules or globals, and only existing files', () => {
    const files = [...testFiles('test/integration'), ...testFiles('test/servers')];
    const replacing = files.filter((f) => REPLACES_GLOBALS.test(readFileSync(join(repo, f), 'utf8')));
    expect(replacing.sort()).toEqual([...ISOLATED_TESTS].sort());
  });
});
