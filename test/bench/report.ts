/** How the benchmark prints: one line at a time to stdout, sizes and times rounded, PASS or FAIL. */

export const log = (line: string): void => void process.stdout.write(`${line}\n`);
export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;
export const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
export const check = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
