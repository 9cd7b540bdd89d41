/**
 * `tsx build/smoke.ts <mac|win|linux> <x64|arm64> [path to the executable]`: starts the packaged app in its
 * smoke mode (electron/shell/smoke.ts) on a fixture photo, waits for it to exit, and fails unless it exited
 * 0 and its report passes build/smoke-expectations.ts. Without a path it finds the unpacked app electron-
 * builder left in out/. On Linux run it inside a D-Bus session with an unlocked keyring (the workflows use
 * xvfb-run, dbus-run-session and build/ci/with-keyring.sh); Chromium is told to use libsecret.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SmokeReport } from '../electron/shell/smoke';
import type { Arch, Os } from './package-contents';
import { smokeProblems } from './smoke-expectations';

const [os, arch, given] = process.argv.slice(2) as [Os, Arch, string | undefined];
const platform: NodeJS.Platform = os === 'mac' ? 'darwin' : os === 'win' ? 'win32' : 'linux';
const executable =
  given ??
  {
    mac: join('out', arch === 'arm64' ? 'mac-arm64' : 'mac', 'Loupe.app', 'Contents', 'MacOS', 'Loupe'),
    win: join('out', 'win-unpacked', 'Loupe.exe'),
    linux: join('out', 'linux-unpacked', 'loupe'),
  }[os];
if (!existsSync(executable)) {
  console.error(`smoke: no packaged app at ${executable}`);
  process.exit(1);
}

const report = join(mkdtempSync(join(tmpdir(), 'loupe-smoke-')), 'report.json');
const args = platform === 'linux' ? ['--password-store=gnome-libsecret'] : [];
console.log(`smoke: ${executable} ${args.join(' ')}`);
const child = spawn(executable, args, {
  env: { ...process.env, LOUPE_SMOKE_REPORT: report, LOUPE_SMOKE_PHOTO: join(process.cwd(), 'test', 'fixtures', 'good', '01-sunset.jpg') },
  stdio: 'inherit',
});
const timer = setTimeout(() => {
  console.error('smoke: no exit within 180 s');
  child.kill();
}, 180_000);
const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
clearTimeout(timer);

if (!existsSync(report)) {
  console.error(`smoke: exited ${code} without a report`);
  process.exit(1);
}
const written = JSON.parse(readFileSync(report, 'utf8')) as SmokeReport;
console.log(JSON.stringify(written, null, 2));
const problems = smokeProblems(written, platform);
if (code !== 0) problems.unshift(`exit code ${code}`);
for (const problem of problems) console.error(`  ✗ ${problem}`);
if (problems.length > 0) process.exit(1);
console.log('smoke: ✓ fuses, keychain round trip, vault on the keychain, sharp from the package, a prepared photo');
