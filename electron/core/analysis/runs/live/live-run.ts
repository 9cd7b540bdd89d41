/**
 * One live run of one job: the scheduler (pacing/scheduler.ts) decides order
 * and timing, each photo's steps are the job's (job/item-steps.ts), and the
 * request goes through the account's client, one photo per request, with a
 * token estimate calibrated from each answer so a token limit is paced
 * before it refuses.
 */
import type { Clock, Logger } from '../../../kernel/deps';
import type { AnalysisResponse } from '../../api/analysis-call';
import type { AnalysisClient } from '../../api/request';
import { ItemSteps } from '../../job/item-steps';
import type { Job } from '../../job/job';
import type { PrepareTuning, ReadyPhoto } from '../../job/prepare-upload';
import type { Pacer } from '../../pacing/flow-governor';
import { RetryState, trackRetries } from '../../pacing/retry-state';
import { Scheduler, type RunOutcome, type SchedulerHooks, type SchedulerTuning } from '../../pacing/scheduler';
import { type RequestShape, TokenEstimator } from '../../pacing/token-estimate';
import { type AnalysisError, outputRefused } from '../../records/analysis-error';

/** How a run sends and paces its photos. */
export type RunTuning = SchedulerTuning & PrepareTuning;

/** What a live run is given: the client its requests go through, the governor that paces them, its tuning and clock. */
export interface LiveRunContext {
  client: AnalysisClient;
  governor: Pacer;
  tuning: RunTuning;
  clock: Clock;
  log: Logger;
  onChange(): void;
}

export class LiveRun {
  readonly scheduler: Scheduler<ReadyPhoto, AnalysisResponse>;
  /** Requests waiting to be sent again, for the job's summary. */
  readonly retries = new RetryState();
  #stopError: AnalysisError | undefined;
  /** Tokens per request, calibrated from each answer's usage, so a token limit is paced before it refuses. */
  readonly #tokens = new TokenEstimator();
  /** Request shapes of items in flight, to calibrate the token estimate from each answer's usage. */
  readonly #shapes = new Map<string, RequestShape>();

  constructor(job: Job, itemIds: string[], ctx: LiveRunContext) {
    const steps = new ItemSteps(job, ctx);
    const hooks: SchedulerHooks<ReadyPhoto, AnalysisResponse> = {
      prepare: (id, signal) => steps.prepare(id, signal),
      sending: (id, attempt) => steps.sending(id, attempt),
      cost: (ready) => ({ tokens: this.#tokens.estimate(ready.shape), bytes: ready.prepared.data.length }),
      send: (id, ready, signal, onAdmitted) => {
        this.#shapes.set(id, ready.shape);
        return ctx.client.analyse({
          model: job.record.spec.model,
          preset: job.preset,
          image: { mime: ready.prepared.mime, data: ready.prepared.data },
          detail: job.record.spec.detail,
          signal,
          onAdmitted,
        });
      },
      succeeded: (id, response) => {
        const shape = this.#shapes.get(id);
        this.#shapes.delete(id);
        if (shape) this.#tokens.observe(shape, response.usage);
        return steps.answered(id, response);
      },
      failed: (id, error) => {
        this.#shapes.delete(id);
        return steps.failed(id, error);
      },
      retrying: (id, error) => steps.retrying(id, error),
      released: (id) => {
        this.#shapes.delete(id);
        steps.released(id);
      },
      stop: (error) => {
        this.#stopError = error;
        ctx.log.warn('analysis job stopped', { job: job.id, ...error.logFields() });
      },
      changed: () => ctx.onChange(),
    };
    this.scheduler = new Scheduler(itemIds, trackRetries(hooks, this.retries), ctx.governor, ctx.tuning, ctx.clock);
  }

  /** The output folder refused a write: no further request goes out; what is in flight is still recorded. */
  stopForOutput(): void {
    this.#stopError ??= outputRefused();
    this.scheduler.stop();
  }

  /** The failure that stopped the job, when the outcome is 'stopped'. */
  get stopError(): AnalysisError | undefined {
    return this.#stopError;
  }

  run(): Promise<RunOutcome> {
    return this.scheduler.start();
  }
}
