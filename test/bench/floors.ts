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
  /** Loupe's whole CPU per photo during the job. */
  loupeJobCpuMs: number;
  target: number;
}

export interface Floors {
  /** A client doing nothing but sharp alone's work, as a ratio to the bound. */
  sharpOnly: number;
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
  line('Loupe’s whole job as measured (reading, SHA-256, HTTP, SDK, journal, result files, GC too)', f.loupeJobCpuMs);
  // The same sum solved for the CPU per photo the target leaves, with this stand-in and with one that cost nothing.
  const budget = (standInMs: number): number => ((f.target * f.boundMs - LATENCY_MS) * CORES - standInMs) / f.photos;
  const ms = (x: number): string => `${Math.round(x) || 0} ms`;
  log(
    `   CPU per photo that ${f.target.toFixed(2)} × leaves: ((${f.target.toFixed(2)} × ${s(f.boundMs)} − ${s(LATENCY_MS)}) × ${CORES} cores − the stand-in's ${s(f.standInCpuMs)}) ÷ ${f.photos} = ${ms(budget(f.standInCpuMs))}; sharp alone's work takes ${ms(f.sharpCpuMs)}, leaving ${ms(budget(f.standInCpuMs) - f.sharpCpuMs)} (${ms(budget(0) - f.sharpCpuMs)} with a stand-in that cost nothing) for reading and hashing the photo, HTTP, the journal and the result file, for which Loupe uses ${ms(f.loupeJobCpuMs - f.sharpCpuMs)}`,
  );
  return { sharpOnly };
}
