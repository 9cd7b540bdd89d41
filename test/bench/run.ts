/**
 * `npm run bench`: Loupe against the stand-in API in a matrix of rate
 * limits, each scenario printing its ratio to its bound. Never part of
 * `npm test`. `npm run bench -- --quick` runs a small version of each.
 *
 * bound = max(rate bound, preparation bound), where the rate bound is
 * N ÷ the allowed rate (requests, or tokens for D) and the preparation
 * bound is N ÷ the throughput of sharp alone (decode with shrink-on-load,
 * resize to the size Loupe sends, JPEG, one pipeline per core) measured in
 * this run on the same photos.
 *
 *   A  600/min, burst 10, 1.5 s latency, 200 × 12 MP          ratio ≤ 1.10
 *   B  6,000/min, burst 100, 1.5 s latency, 500 × 12 MP       ratio ≤ 1.15
 *   C  120/min, burst 5, no rate headers, 40 photos           ratio ≤ 1.15, 429s ≤ 5 %
 *   D  60,000 tokens/min (burst 6,000) with headers, 30 photos ratio ≤ 1.15 to the token bound, 429s ≤ 5 %
 *   E  peak RSS ≤ 400 MB in every scenario
 * plus the sequential baseline (a simple script), bytes uploaded ÷ source
 * bytes, bytes per photo before (1536 px) and after (the model's sizing),
 * and the Linux WebAssembly backend's preparation throughput against native.
 *
 * Loupe runs in a child process per scenario, so its peak memory is its own;
 * the stand-ins run here. The model is `gpt-4.1` (a tile model: 12-MP 4:3
 * photos go out at 1024×768). Timings on a shared machine are noisy.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { targetSize } from '../../electron/core/analysis/input/image-sizing';
import { runBaseline } from './baseline';
import { type SharpRun, sharpAlone } from './children';
import { comparePreparation } from './prep-compare';
import { ensureBenchImages, HEIGHT, WIDTH } from './images';
import { check, kb, log, mb, s } from './report';
import { type Outcome, runScenario } from './run-scenario';
import { BASELINE_N, CORES, MAX_RSS_MB, MODEL, PREP_ROUNDS, QUICK, SCENARIOS, SHARP_N, WASM_N, repo } from './scenarios';

async function main(): Promise<void> {
  const most = Math.max(...SCENARIOS.map((sc) => sc.photos));
  const images = await ensureBenchImages(join(repo, '.cache', 'bench-images'), most, log);
  const { stat } = await import('node:fs/promises');
  const sizes = await Promise.all(images.paths.map(async (p) => (await stat(p)).size));
  log(
    `${QUICK ? 'QUICK run. ' : ''}photos: up to ${most} × 12 MP (${mb(images.bytes / most)} each on average); ${CORES} cores; model ${MODEL}; shared machine: timings are noisy`,
  );

  // Preparation bound: sharp alone at the size Loupe sends, one pipeline per core, in this run.
  const box = targetSize(MODEL, 'auto', WIDTH, HEIGHT);
  const sample = images.paths.slice(0, SHARP_N);
  const prep = await comparePreparation(sample, box, PREP_ROUNDS);
  const native = prep.sharp;
  const before = await sharpAlone(images.paths.slice(0, Math.min(20, SHARP_N)), { width: 1536, height: 1536 }, 'native');
  const prepRatio = prep.ratio;
  log(
    `sharp alone: ${native.perSecond.toFixed(1)} photos/s at ${box.width}×${box.height} over ${PREP_ROUNDS + 1} rounds (${Math.min(...prep.sharpRounds).toFixed(1)}–${Math.max(...prep.sharpRounds).toFixed(1)}), ${native.cpuMsPerPhoto.toFixed(0)} ms CPU each, ${CORES} at a time`,
  );
  log(
    `Loupe's preparation: ${prep.loupe.perSecond.toFixed(1)} photos/s over ${PREP_ROUNDS} rounds between them (${prep.loupe.cpuMsPerPhoto.toFixed(0)} ms CPU each, ${CORES + 1} at a time) = ${prepRatio.toFixed(2)} × sharp alone`,
  );
  log(
    `bytes per photo: ${kb(before.bytesPerPhoto)} at 1536 px (before) → ${kb(native.bytesPerPhoto)} at ${box.width}×${box.height}, what ${MODEL} sees (after)`,
  );
  log('');

  const work = await mkdtemp(join(tmpdir(), 'loupe-bench-'));
  const outcomes: Outcome[] = [];
  let baselineLine = '';
  let baselineTotalMs = Number.NaN;
  let baselineShare = 0;
  try {
    // LOUPE_BENCH_ONLY=B,C runs only those scenarios while tuning.
    const only = process.env.LOUPE_BENCH_ONLY ? process.env.LOUPE_BENCH_ONLY.split(',') : undefined;
    for (const sc of SCENARIOS.filter((x) => !only || only.includes(x.id))) {
      const paths = images.paths.slice(0, sc.photos);
      const sourceBytes = sizes.slice(0, sc.photos).reduce((a, b) => a + b, 0);
      const baseline =
        sc.id === 'A'
          ? async (apiBase: string, token: string) => {
              const b = await runBaseline(images.paths.slice(0, BASELINE_N), apiBase, token);
              const total = b.perImageMs * sc.photos;
              baselineShare = b.uploadedBytes / b.sourceBytes;
              baselineLine = `sequential baseline (full-size, one at a time, first ${BASELINE_N}): ${s(b.perImageMs)} per photo → ${sc.photos} photos ≈ ${s(total)} (${b.failed} failed)`;
              baselineTotalMs = total;
            }
          : undefined;
      // The preparation bound matters where it may bind (B); elsewhere the run's first measurement does.
      const prepMeasure = async (): Promise<SharpRun> =>
        (paths.length / native.perSecond) * 1000 > 0.5 * (sc.photos / sc.rpm) * 60_000
          ? await sharpAlone(images.paths.slice(0, SHARP_N), box, 'native')
          : native;
      outcomes.push(await runScenario(sc, paths, sourceBytes, prepMeasure, work, baseline));
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  const a = outcomes.find((o) => o.scenario.id === 'A') ?? outcomes[0]!;
  const speedup = baselineTotalMs / a.loupe.wallMs;
  const upload = a.loupe.uploadedBytes / a.sourceBytes;
  const wasm = await sharpAlone(images.paths.slice(0, WASM_N), box, 'wasm');
  const nativeSmall = await sharpAlone(images.paths.slice(0, WASM_N), box, 'native');
  const rssOk = outcomes.every((o) => o.loupe.peakRssBytes / 1048576 <= MAX_RSS_MB);

  log('');
  log('Summary');
  for (const o of outcomes) {
    log(
      `  ${o.scenario.id}  ratio ${o.ratio.toFixed(3)} × to ${s(o.boundMs)} (target ≤ ${o.scenario.target.toFixed(2)}${o.floors ? `; the cores allow ${o.floors.sharpOnly.toFixed(2)} × for sharp alone's work and nothing else` : ''}), 429s ${(o.share429 * 100).toFixed(1)} %, peak RSS ${(o.loupe.peakRssBytes / 1048576).toFixed(0)} MB   ${check(o.pass)}`,
    );
  }
  log(`  preparation throughput ${prepRatio.toFixed(2)} × sharp alone (target ≥ 0.85)   ${check(prepRatio >= 0.85)}`);
  log(
    `  E  peak RSS ≤ ${MAX_RSS_MB} MB in every scenario (max ${Math.max(...outcomes.map((o) => o.loupe.peakRssBytes / 1048576)).toFixed(0)} MB)   ${check(rssOk)}`,
  );
  log(`  ${baselineLine}`);
  log(`  speed-up of A over the baseline ${speedup.toFixed(1)} × (target ≥ 10)   ${check(speedup >= 10)}`);
  log(
    `  uploaded / source bytes (A) ${mb(a.loupe.uploadedBytes)} / ${mb(a.sourceBytes)} = ${(upload * 100).toFixed(1)} % (baseline ${(baselineShare * 100).toFixed(1)} %) (target ≤ 25 %)   ${check(upload <= 0.25)}`,
  );
  log(`  bytes per photo: before ${kb(before.bytesPerPhoto)} (1536 px) → after ${kb(native.bytesPerPhoto)} (${box.width}×${box.height})`);
  log(
    `  WebAssembly backend (Linux): ${wasm.perSecond.toFixed(2)} photos/s vs native ${nativeSmall.perSecond.toFixed(2)} on ${WASM_N} photos = ${(wasm.perSecond / nativeSmall.perSecond).toFixed(2)} × native${wasm.wasm ? '' : ' (WARNING: wasm did not load)'}`,
  );
  const all = outcomes.every((o) => o.pass) && rssOk && speedup >= 10 && upload <= 0.25 && prepRatio >= 0.85;
  log(`  overall   ${check(all)}`);
}

// `npm run bench -- --scale`: the large-job scenario (scale.ts) instead.
if (process.argv.includes('--scale')) await (await import('./scale')).runScale();
else await main();
process.exit(0);
