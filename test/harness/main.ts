/** `npm run harness`: serve the built renderer with a live core and print where to open it. */
import { startHarness } from './server';

const port = Number(process.env.LOUPE_HARNESS_PORT ?? 5178);
const harness = await startHarness({ port });
console.log(`Loupe harness running. Open ${harness.url} in your browser (data dir: ${harness.dataDir}). Ctrl+C to stop.`);

const stop = async () => {
  await harness.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
