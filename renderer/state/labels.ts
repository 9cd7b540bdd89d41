import type { AccountKind, BatchPhase, ItemStatus, JobStatus } from '../../electron/contract';

export const JOB_STATUS_LABEL: Record<JobStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  paused: 'Paused',
  done: 'Finished',
  failed: 'Failed',
  cancelled: 'Cancelled',
  stopped: 'Stopped',
};

export const ITEM_STATUS_LABEL: Record<ItemStatus, string> = {
  pending: 'Waiting',
  in_flight: 'Analysing',
  done: 'Done',
  unparsed: 'Unreadable',
  failed: 'Failed',
  skipped: 'Skipped',
  not_run: 'Not analysed',
};

export const KIND_LABEL: Record<AccountKind, string> = { chatgpt: 'ChatGPT', api_key: 'API key', custom: 'OAuth provider' };

/** Where a batch job is at OpenAI (JobBatchView.phase), in words. */
export const BATCH_PHASE_LABEL: Record<BatchPhase, string> = {
  uploading: 'Preparing and uploading the photos to OpenAI',
  waiting: 'Waiting for OpenAI (results within 24 h)',
  collecting: 'Results arriving',
  cancelling: 'Cancelling the batch; answers it had already finished are still collected',
};
