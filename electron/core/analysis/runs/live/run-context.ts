/**
 * What a job's run is given (job-run.ts): the client its requests go
 * through, the governor that paces them, its tuning and clock, and where it
 * says that something changed; and what one prepared photo carries to its
 * request.
 */
import type { ImageDetail } from '../../../../contract';
import type { Clock, Logger } from '../../../kernel/deps';
import type { AnalysisClient } from '../../api/request';
import type { PreparedImage } from '../../input/prepare';
import type { Pacer as Governor } from '../../pacing/flow-governor';
import type { SchedulerTuning } from '../../pacing/scheduler';
import type { RequestShape } from '../../pacing/token-estimate';

export interface RunTuning extends SchedulerTuning {
  /** Long edge of the upload per detail level. */
  maxEdge: Record<ImageDetail, number>;
  jpegQuality: number;
}

export interface JobRunContext {
  client: AnalysisClient;
  governor: Governor;
  tuning: RunTuning;
  clock: Clock;
  log: Logger;
  onChange(): void;
}

export interface Sent {
  prepared: PreparedImage;
  /** For the token estimate: what the request looks like (model, detail, upload size, prompt length). */
  shape: RequestShape;
}
