/** One scenario of the matrix: stand-ins with its rate limits, Loupe in a child process, its ratio to the bound, printed. */
import { join } from 'node:path';
import { startStandIns } from '../servers/stack';
import { signInPlanSession } from '../support/plan-session';
import { type LoupeRun, type SharpRun, child } from './children';
import { check, kb, log, mb, s } from './report';
import { type Floors, logFloors } from './floors';
import { LATENCY_MS, MAX_RSS_MB, MODEL, MODELS, type Scenario } from './scenarios';

export interface Outcome {
  scenario: Scenario;
  loupe: LoupeRun;
  boundMs: number;
  rateBoundMs: number;
  prepBoundMs: number;
  ratio: number;
  share429: number;
  pass: boolean;
  sourceBytes: number;
  /** Where preparation binds: what the cores allow, as ratios to the bound (floors.ts). */
  floors?: Floors | undefined;
}

export async function runScenario(
  sc: Scenario,
  paths: string[],
  sourceBytes: number,
  prepMeasure: () => Promise<SharpRun>,
  work: string,
  baseline?: (apiBase: string, token: string) => Promise<void>,
): Promise<Outcome> {
  // sharp alone right before and right after the scenario: on a shared machine the load drifts.
  const prepBefore = await prepMeasure();
  const stack = await startStandIns({
    api: {
      latencyMs: LATENCY_MS,
      models: MODELS,
      rateLimit: {
        requestsPerMinute: sc.rpm,
        burst: sc.burst,
        rateHeaders: sc.headers,
        ...(sc.tokensPerMinute ? { tokensPerMinute: sc.tokensPerMinute, tokenBurst: sc.tokenBurst } : {}),
      },
    },
  });
  try {
    const session = await signInPlanSession(stack);
    const token = await session.accessToken();
    const cpuBefore = process.cpuUsage();
    const loupe = await child<LoupeRun>('loupe-child.ts', {
      dataDir: join(work, sc.id, 'data'),
      apiBase: stack.endpoints.apiBase,
      token,
      paths,
      photosDir: '',
      outputDir: join(work, sc.id, 'out'),
      model: MODEL,
      ...(process.env.LOUPE_BENCH_CAP ? { concurrencyCap: Number(process.env.LOUPE_BENCH_CAP) } : {}),
    });
    const api = stack.api.stats();
    const cpu = process.cpuUsage(cpuBefore);
    const prepAfter = await prepMeasure();
    const prepPerSecond = (prepBefore.perSecond + prepAfter.perSecond) / 2;
    const standInCpuMs = (cpu.user + cpu.system) / 1000;
    const rateBoundMs = sc.tokensPerMinute ? (api.tokensCounted / sc.tokensPerMinute) * 60_000 : (paths.length / sc.rpm) * 60_000;
    const prepBoundMs = (paths.length / prepPerSecond) * 1000;
    const boundMs = Math.max(rateBoundMs, prepBoundMs);
    const ratio = loupe.wallMs / boundMs;
    const requests = api.responses + api.rateLimited;
    const share429 = requests ? api.rateLimited / requests : 0;
    const complete = loupe.counts.done === paths.length && loupe.counts.failed === 0;
    const pass =
      complete && ratio <= sc.target && (sc.max429Share === undefined || share429 <= sc.max429Share) && loupe.peakRssBytes / 1048576 <= MAX_RSS_MB;
    const boundWhy = sc.tokensPerMinute
      ? `tokens ${api.tokensCounted.toLocaleString('en-US')} ÷ ${sc.tokensPerMinute.toLocaleString('en-US')}/min = ${s(rateBoundMs)}`
      : `${paths.length} ÷ ${sc.rpm}/min = ${s(rateBoundMs)}`;
    log(`${sc.id}  ${sc.title}, ${LATENCY_MS / 1000} s latency, ${paths.length} × 12 MP`);
    log(
      `   Loupe ${s(loupe.wallMs)} (${loupe.counts.done} done, ${loupe.counts.failed} failed); bound ${s(boundMs)} = max(rate: ${boundWhy}, preparation: ${s(prepBoundMs)})`,
    );
    log(
      `   sharp alone ${prepBefore.perSecond.toFixed(1)} photos/s before, ${prepAfter.perSecond.toFixed(1)} after (${((prepBefore.cpuMsPerPhoto + prepAfter.cpuMsPerPhoto) / 2).toFixed(0)} ms CPU each); Loupe ${((paths.length / loupe.wallMs) * 1000).toFixed(1)} photos/s overall`,
    );
    log(`   ratio ${ratio.toFixed(3)} × (target ≤ ${sc.target.toFixed(2)})   ${check(complete && ratio <= sc.target)}`);
    log(
      `   429s ${api.rateLimited} of ${requests} requests = ${(share429 * 100).toFixed(1)} %${sc.max429Share !== undefined ? ` (target ≤ ${sc.max429Share * 100} %)   ${check(share429 <= sc.max429Share)}` : ''}`,
    );
    log(
      `   peak RSS ${(loupe.peakRssBytes / 1048576).toFixed(0)} MB (at start ${mb(loupe.rssAtStartBytes)}; V8 heap at most ${loupe.memoryPeaksMb.heapTotal} MB, buffers ${loupe.memoryPeaksMb.arrayBuffers} MB) (target ≤ ${MAX_RSS_MB} MB)   ${check(loupe.peakRssBytes / 1048576 <= MAX_RSS_MB)}`,
    );
    log(
      `   in flight: Loupe's target peaked at ${loupe.maxConcurrency}, server saw at most ${api.maxInFlight}; uploaded ${kb(loupe.uploadedBytes / paths.length)} per photo`,
    );
    log(`   first request at ${s(loupe.firstSendMs)}, last at ${s(loupe.lastSendMs)}`);
    const floors =
      prepBoundMs > rateBoundMs
        ? logFloors({
            photos: paths.length,
            boundMs,
            standInCpuMs,
            sharpCpuMs: (prepBefore.cpuMsPerPhoto + prepAfter.cpuMsPerPhoto) / 2,
            loupeJobCpuMs: loupe.jobCpuMs / paths.length,
            target: sc.target,
          })
        : undefined;
    log(
      `   CPU: Loupe ${s(loupe.cpuMs)} (${s(loupe.jobCpuMs)} during the job: ${(loupe.jobCpuMs / paths.length).toFixed(0)} ms per photo), stand-ins ${s(standInCpuMs)}`,
    );
    if (baseline) await baseline(stack.endpoints.apiBase, token);
    return { scenario: sc, loupe, boundMs, rateBoundMs, prepBoundMs, ratio, share429, pass, sourceBytes, floors };
  } finally {
    await stack.close();
  }
}
