/**
 * `npm run harness`: the built renderer with a live core, signing in against
 * the stand-in authorization server and API. Open the printed URL; "Continue
 * with ChatGPT" prints the sign-in link to open in another tab (the stand-in
 * accepts alice@example.com / password).
 */
import { startHarness } from './server';

const port = Number(process.env.LOUPE_HARNESS_PORT ?? 5178);
const harness = await startHarness({
  port,
  openExternal: async (url) => {
    console.log(`\nSign-in page (open it in your browser; user alice@example.com, password "password"):\n${url}\n`);
  },
});
console.log(`Loupe harness running. Open ${harness.url} in your browser.`);
console.log(`  stand-in issuer: ${harness.stack.endpoints.issuer}   stand-in API: ${harness.stack.endpoints.apiBase}`);
console.log(`  data dir: ${harness.dataDir}. Ctrl+C to stop.`);

const stop = async () => {
  await harness.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
