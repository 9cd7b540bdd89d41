/**
 * A photo made ready to send: prepared at the size the model will see at the
 * job's detail (image-sizing.ts; unknown models keep the tuned edge), with a
 * thumbnail only while someone looks at the job's results, plus what the
 * result file will say was sent and what the token estimate needs to know.
 */
import { targetSize } from '../input/image-sizing';
import { type PreparedImage, prepareImage } from '../input/prepare';
import type { ImageDetail } from '../../../contract';
import type { RequestShape } from '../pacing/token-estimate';
import type { Job } from './job';
import type { SentFacts } from './result-document';

/** How photos are prepared: the long edge of the upload per detail level, and the JPEG quality. */
export interface PrepareTuning {
  maxEdge: Record<ImageDetail, number>;
  jpegQuality: number;
}

export interface Upload {
  prepared: PreparedImage;
  /** Sizes only, never the bytes: for the photo's result file. */
  facts: SentFacts;
  shape: RequestShape;
}

/** What a prepared photo carries to its request: the image, and its shape for the token estimate. */
export type ReadyPhoto = Pick<Upload, 'prepared' | 'shape'>;

/** Throws LoupeError when the photo can't be prepared (see prepare.ts). */
export async function prepareUpload(path: string, bytes: Buffer | undefined, job: Job, tuning: PrepareTuning): Promise<Upload> {
  const { model, detail } = job.record.spec;
  const prepared = await prepareImage(path, {
    source: bytes,
    fitTo: (w, h) => targetSize(model, detail, w, h, tuning.maxEdge[detail]),
    jpegQuality: tuning.jpegQuality,
    thumbnail: job.watched(),
  });
  const textChars = job.preset.instructions.length + job.preset.prompt.length;
  return {
    prepared,
    facts: {
      source: { width: prepared.sourceWidth, height: prepared.sourceHeight, format: prepared.sourceFormat },
      sent: { mime: prepared.mime, width: prepared.width, height: prepared.height, bytes: prepared.data.length, detail },
    },
    shape: { model, detail, width: prepared.width, height: prepared.height, textChars },
  };
}
