/**
 * Where preparation binds (B on two cores), what the cores allow. With every
 * core busy and nothing waiting, a run takes its CPU ÷ cores, plus one
 * answer's latency after the last photo is prepared. The stand-in API runs
 * on the same cores (a real server would not), so its CPU counts too.
 */
import { log, s } from './report';
import { CORES, LATENCY_MS } from './scenarios';

export interface FloorInputs {
  photos: number;
  boundMs: number;
  /** CPU the stand-ins used during the scenario (they run in the bench's own process). */
  standInCpuMs: number;
  /** sharp alone's CPU per photo (decode, resize, JPEG), measured beside the scenario. */
  sharpCpuMs: number;
  /** Loupe's own preparation per photo (read once, SHA-256, header checks, decode, resize, JPEG, thumbnail). */
  loupePrepCpuMs: number;
  /** Loupe's whole CPU per photo during the job. */
  loupeJobCpuMs: number;
  target: number;
}

export interface Floors {
  /** A client doing nothing but sharp alone's work, as a ratio to the bound. */
  sharpOnly: number;
  /** Loupe's preparation and nothing else (no HTTP, journal, result files). */
  loupePrepOnly: number;
}

export function logFloors(f: FloorInputs): Floors {
  const at = (cpuMsPerPhoto: number): number => (f.photos * cpuMsPerPhoto + f.standInCpuMs) / CORES + LATENCY_MS;
  const line = (what: string, cpuMsPerPhoto: number): number => {
    const ms = at(cpuMsPerPhoto);
    log(
      `     ${what}: (${f.photos} × ${cpuMsPerPhoto.toFixed(0)} ms + the stand-in's ${s(f.standInCpuMs)}) ÷ ${CORES} cores + ${s(LATENCY_MS)} = ${s(ms)} = ${(ms / f.boundMs).toFixed(2)} × the bound`,
    );
    return ms / f.boundMs;
  };
  log('   what the cores allow (every core busy, nothing waiting, the last answer 1.5 s after its photo is prepared):');
  const sharpOnly = line('sharp alone’s work and nothing else', f.sharpCpuMs);
  const loupePrepOnly = line('Loupe’s preparation and nothing else (a thumbnail included, which this job does not make)', f.loupePrepCpuMs);
  line('Loupe’s whole job as measured (HTTP, SDK, journal, result files, GC too)', f.loupeJobCpuMs);
  // The same sum solved for the CPU per photo that the target leaves.
  const budgetMs = ((f.target * f.boundMs - LATENCY_MS) * CORES - f.standInCpuMs) / f.photos;
  log(
    `   CPU per photo that ${f.target.toFixed(2)} × leaves: ((${f.target.toFixed(2)} × ${s(f.boundMs)} − ${s(LATENCY_MS)}) × ${CORES} cores − the stand-in's ${s(f.standInCpuMs)}) ÷ ${f.photos} = ${budgetMs.toFixed(0)} ms; sharp alone's work takes ${f.sharpCpuMs.toFixed(0)}, leaving ${(budgetMs - f.sharpCpuMs).toFixed(0)} ms for reading and hashing the photo, HTTP, the journal and the result file (Loupe: ${(f.loupeJobCpuMs - f.sharpCpuMs).toFixed(0)} ms)`,
  );
  return { sharpOnly, loupePrepOnly };
}
