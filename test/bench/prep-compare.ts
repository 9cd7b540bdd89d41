/**
 * Loupe's preparation against sharp alone on the same photos, in alternating
 * rounds (sharp, Loupe, sharp, Loupe, …): on a shared machine the CPU's speed
 * drifts by 10–20 % within a minute, and one measurement of each a minute
 * apart read that drift as a difference between them.
 */
import { type SharpRun, child, sharpAlone } from './children';
import { CORES, MODEL } from './scenarios';

export interface PrepComparison {
  sharp: SharpRun;
  loupe: SharpRun;
  /** Loupe's photos per second ÷ sharp alone's, over all rounds. */
  ratio: number;
  /** Each round's sharp-alone throughput, for the spread. */
  sharpRounds: number[];
}

/** Totals over rounds: photos ÷ seconds, CPU and bytes per photo weighted by photos. */
function pool(runs: SharpRun[], photos: number): SharpRun {
  const seconds = runs.reduce((sum, r) => sum + photos / r.perSecond, 0);
  const mean = (pick: (r: SharpRun) => number): number => runs.reduce((sum, r) => sum + pick(r), 0) / runs.length;
  return {
    perSecond: (photos * runs.length) / seconds,
    cpuMsPerPhoto: mean((r) => r.cpuMsPerPhoto),
    bytesPerPhoto: mean((r) => r.bytesPerPhoto),
    wasm: false,
  };
}

export async function comparePreparation(paths: string[], box: { width: number; height: number }, rounds: number): Promise<PrepComparison> {
  const sharpRuns: SharpRun[] = [];
  const loupeRuns: SharpRun[] = [];
  for (let round = 0; round < rounds; round++) {
    sharpRuns.push(await sharpAlone(paths, box, 'native'));
    // As the engine runs it: read once, hash, header checks, resize, JPEG, thumbnail, one more pipeline than cores.
    loupeRuns.push(await child<SharpRun>('sharp-alone.ts', { paths, ...box, parallel: CORES + 1, backend: 'native', loupe: true, model: MODEL }));
  }
  sharpRuns.push(await sharpAlone(paths, box, 'native'));
  const sharp = pool(sharpRuns, paths.length);
  const loupe = pool(loupeRuns, paths.length);
  return { sharp, loupe, ratio: loupe.perSecond / sharp.perSecond, sharpRounds: sharpRuns.map((r) => r.perSecond) };
}
