/**
 * The analysis engine in a process of its own, for the crash test:
 *
 *   node --import tsx test/support/analysis-child.ts <config.json>
 *
 * Config: `{ dataDir, apiBase, token, create?: { paths, outputDir, model, concurrencyCap? } }`.
 * With `create` it starts a new job; without, it only opens the engine and
 * prints `opened <status> <stopReason code or ->` for the job it finds (after
 * a crash, the job waits paused), then resumes it when `resume` is set. It
 * prints one line per event on stdout:
 * `job <id>`, `done <itemId> <path>` once an item is reported done (which the
 * engine only does after the job file says so), and `finished <status>`.
 * The bearer token comes from the parent (it signed in against the stand-ins).
 */
import { readFileSync } from 'node:fs';
import { AnalysisEngine } from '../../electron/core/analysis/runs/engine';
import { realClock } from './real-clock';
import { LoupeError } from '../../electron/core/kernel/errors';
import { nodeProcessMemory } from '../../electron/shell/process-memory';

interface ChildConfig {
  dataDir: string;
  apiBase: string;
  token: string;
  create?: { paths: string[]; outputDir: string; model: string; concurrencyCap?: number };
  resume?: boolean;
}

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as ChildConfig;
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const reported = new Set<string>();
let jobId: string | undefined;
let finishing = false;
let engine: AnalysisEngine | undefined;

let checking = false;
let checkAgain = false;

/** Reports photos as they show done, and the end; one check at a time (a page is read asynchronously). */
async function check(): Promise<void> {
  if (checking) {
    checkAgain = true;
    return;
  }
  checking = true;
  try {
    do {
      checkAgain = false;
      await checkOnce();
    } while (checkAgain);
  } finally {
    checking = false;
  }
}

async function checkOnce(): Promise<void> {
  if (!engine || !jobId || finishing) return;
  // The summary first: when it says the job ended, the page read after it holds every photo done.
  const job = engine.jobs().find((j) => j.id === jobId);
  const page = await engine.items(jobId, 0, 100_000);
  if (!job || !page) return;
  for (const item of page.items) {
    if (item.status === 'done' && !reported.has(item.id)) {
      reported.add(item.id);
      say(`done ${item.id} ${item.path}`);
    }
  }
  if (['done', 'failed', 'stopped', 'cancelled'].includes(job.status) && job.counts.inFlight === 0) {
    finishing = true;
    say(`finished ${job.status}`);
    void engine.dispose().then(() => process.exit(0));
  }
}

engine = await AnalysisEngine.open({
  dataDir: config.dataDir,
  fetch: globalThis.fetch,
  account: () => ({
    apiBase: new URL(config.apiBase),
    kind: 'chatgpt',
    session: {
      accessToken: async () => config.token,
      afterUnauthorized: async () => {
        throw new LoupeError('unauthorized', 'The test token was refused.');
      },
    },
  }),
  clock: realClock,
  processMemory: nodeProcessMemory(),
  log: { info() {}, warn() {}, error: (message) => process.stderr.write(`${message}\n`) },
  notify() {},
  onChange: () => setImmediate(() => void check()),
  tuning: { backoffBaseMs: 50, backoffMaxMs: 500 },
});
if (config.create) {
  jobId = await engine.createJob({ ...config.create, preset: 'describe', detail: 'low' });
} else {
  const job = engine.jobs()[0];
  jobId = job?.id;
  say(`opened ${job?.status} ${job?.stopReason?.code ?? '-'}`);
  if (config.resume && jobId) await engine.resume(jobId);
}
say(`job ${jobId}`);
void check();
