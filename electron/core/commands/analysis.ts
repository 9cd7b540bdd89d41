import type { DomainCommands } from './handlers';
import type { AnalysisService } from '../analysis/service';

export function analysisCommands(analysis: AnalysisService): DomainCommands<'analysis'> {
  return {
    'analysis.unstage': async ({ path }) => analysis.unstage(path),
    'analysis.clearStaged': async () => analysis.clearStaged(),
    'analysis.getStagedThumbnails': async ({ paths }) => ({ thumbnails: await analysis.stagedThumbnails(paths) }),
    'analysis.pickImages': async ({ folders }) => analysis.pick({ folders: folders ?? false }),
    'analysis.start': async (input) => analysis.start(input),
    'analysis.pause': async ({ jobId }) => analysis.pause(jobId),
    'analysis.resume': async ({ jobId }) => analysis.resume(jobId),
    'analysis.cancel': async ({ jobId }) => analysis.cancel(jobId),
    'analysis.retryFailed': async ({ jobId }) => analysis.retryFailed(jobId),
    'analysis.retryUnparsed': async ({ jobId }) => analysis.retryUnparsed(jobId),
    'analysis.pickOutputDir': async () => analysis.pickOutputDir(),
    'analysis.undoCancel': async ({ jobId }) => analysis.undoCancel(jobId),
    'analysis.startRemaining': async ({ jobId }) => analysis.startRemaining(jobId),
    'analysis.rename': async ({ jobId, name }) => analysis.rename(jobId, name),
    'analysis.remove': async ({ jobId }) => analysis.remove(jobId),
    'analysis.getJob': async ({ jobId }) => analysis.job(jobId),
    'analysis.getItems': async ({ jobId, offset, limit }) => analysis.items(jobId, offset, limit),
    'analysis.openOutput': async ({ jobId }) => analysis.openOutput(jobId),
    'analysis.export': async ({ jobId }) => analysis.exportCsv(jobId),
  };
}
