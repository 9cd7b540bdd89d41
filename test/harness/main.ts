/**
 * `npm run harness`: the built renderer with a live core, signing in against
 * the stand-in authorization server and API. Open the printed URL.
 *
 * Its data (accounts, settings, job journals and results) lives in one folder
 * that outlives the run; `npm run harness -- --fresh` starts from nothing.
 * The stand-ins listen on fixed ports so a saved API-key or gateway account
 * still points at them next time (their signing keys are new each run, so a
 * ChatGPT session asks to sign in again).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createNodeCipher } from '../support/node-cipher';
import { startHarness } from './server';

export const DEMO_API_KEY = 'sk-loupe-demo-0000000000000000';
export const DEMO_CLIENT_ID = 'loupe-demo-gateway';

const port = Number(process.env.LOUPE_HARNESS_PORT ?? 5178);
const dataDir = process.env.LOUPE_HARNESS_DIR ?? join(homedir(), '.cache', 'loupe-harness');
if (process.argv.includes('--fresh')) await rm(dataDir, { recursive: true, force: true });
await mkdir(dataDir, { recursive: true });

// Stands in for the OS keychain: a key kept beside the demo data, so saved demo accounts open again next run.
const keyFile = join(dataDir, 'harness-keychain.key');
if (!existsSync(keyFile)) await writeFile(keyFile, randomBytes(32), { mode: 0o600 });
const key = await readFile(keyFile);

const harness = await startHarness({
  port,
  dataDir,
  deps: { cipher: createNodeCipher({ key }) },
  presentation: process.argv.includes('--production') ? 'production' : 'development',
  standInOptions: {
    auth: { port: port + 1, staticClients: [{ client_id: DEMO_CLIENT_ID }] },
    // The API key is offered Batch mode too: the stand-in's batches move one step each time Loupe checks.
    api: { port: port + 2, apiKeys: [DEMO_API_KEY], batch: {} },
  },
  openExternal: async (url) => {
    console.log(`\nSign-in page (also linked in the window):\n${url}\n`);
  },
});
const { issuer, apiBase } = harness.stack.endpoints;
console.log(`Loupe harness running. Open ${harness.url} in your browser.

  ChatGPT sign-in:   user alice@example.com, password "password"
  API key:           ${DEMO_API_KEY}   base URL ${apiBase}
  OAuth provider:    issuer ${issuer}, client ID ${DEMO_CLIENT_ID}, API base ${apiBase}

  Data and results:  ${dataDir}  (kept; --fresh starts over)
  No file dialogs in a browser: drop photos onto the window. Ctrl+C to stop.`);

const stop = async () => {
  await harness.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
