import type { AnalysisResponse } from './analysis-call';
import { internalError } from '../records/analysis-error';
import { type ReadAnswer, type Validator, readAnswer } from '../schema/json-answer';

/**
 * Checks a complete, paid answer. An exception here is Loupe's own (the
 * answer already arrived): it fails the photo once as an internal error that
 * carries the answer and its usage, never a retry that would pay again.
 */
export function checkAnswer(text: string, validate: Validator | null, usage: AnalysisResponse['usage'], requestId: string | null): ReadAnswer {
  try {
    return readAnswer(text, validate);
  } catch (error) {
    throw internalError(error, 'checking the answer against the schema', { partialText: text, usage, ...(requestId ? { requestId } : {}) });
  }
}
