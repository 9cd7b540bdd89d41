/**
 * Line coverage of electron/main.ts and electron/shell/** from the V8
 * coverage the simulated-Electron child processes write (NODE_V8_COVERAGE),
 * mapped back to the TypeScript sources through the bundle's source maps.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import libCoverage from 'istanbul-lib-coverage';
import v8toIstanbul from 'v8-to-istanbul';

export interface LineCoverage {
  file: string;
  covered: number;
  total: number;
  uncovered: number[];
}

export async function shellLineCoverage(coverageDir: string, repo: string): Promise<LineCoverage[]> {
  const map = libCoverage.createCoverageMap({});
  const isShell = (file: string) => {
    const rel = relative(repo, file).split('\\').join('/');
    return rel === 'electron/main.ts' || rel.startsWith('electron/shell/');
  };
  for (const name of readdirSync(coverageDir).filter((f) => f.endsWith('.json'))) {
    const data = JSON.parse(readFileSync(join(coverageDir, name), 'utf8')) as {
      result: Array<{ url: string; functions: Parameters<ReturnType<typeof v8toIstanbul>['applyCoverage']>[0] }>;
    };
    for (const script of data.result) {
      if (!script.url.startsWith('file:') || !script.url.includes('/dist/main/')) continue;
      const converter = v8toIstanbul(fileURLToPath(script.url));
      await converter.load();
      converter.applyCoverage(script.functions);
      const istanbul = converter.toIstanbul();
      for (const [file, coverage] of Object.entries(istanbul)) if (isShell(file)) map.merge({ [file]: coverage });
    }
  }
  return map
    .files()
    .sort()
    .map((file) => {
      const lines = map.fileCoverageFor(file).getLineCoverage();
      const numbers = Object.keys(lines).map(Number);
      const uncovered = numbers.filter((n) => lines[n] === 0);
      return { file: relative(repo, file), covered: numbers.length - uncovered.length, total: numbers.length, uncovered };
    });
}

export function formatCoverage(rows: LineCoverage[]): { text: string; percent: number } {
  const covered = rows.reduce((n, r) => n + r.covered, 0);
  const total = rows.reduce((n, r) => n + r.total, 0);
  const percent = total === 0 ? 0 : (100 * covered) / total;
  const width = Math.max(...rows.map((r) => r.file.length), 5);
  const lines = rows.map((r) => {
    const pct = r.total === 0 ? 100 : (100 * r.covered) / r.total;
    const missing = r.uncovered.length ? `  uncovered: ${compactRanges(r.uncovered)}` : '';
    return `  ${r.file.padEnd(width)}  ${pct.toFixed(1).padStart(5)} %  (${r.covered}/${r.total})${missing}`;
  });
  return {
    text: [
      `Line coverage of electron/main.ts + electron/shell/** from the simulated Electron run:`,
      ...lines,
      `  ${'total'.padEnd(width)}  ${percent.toFixed(1).padStart(5)} %  (${covered}/${total})`,
    ].join('\n'),
    percent,
  };
}

function compactRanges(numbers: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < numbers.length; i++) {
    const start = numbers[i]!;
    let end = start;
    while (numbers[i + 1] === end + 1) end = numbers[++i]!;
    parts.push(start === end ? `${start}` : `${start}-${end}`);
  }
  return parts.join(',');
}
