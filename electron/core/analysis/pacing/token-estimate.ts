/**
 * How many tokens one request will count against `x-ratelimit-*-tokens`,
 * before it is sent: the image's tokens from its prepared size and detail
 * (image-sizing.ts), the text at about four characters a token, and the
 * answer's expected length. The server counts what it was sent plus what it
 * answers, so the estimate learns from each answer's `usage`: the ratio of
 * billed input to estimated input, and the typical answer length.
 */
import type { ImageDetail } from '../../../contract';
import { imageTokens } from '../input/image-sizing';

export interface RequestShape {
  model: string;
  detail: ImageDetail;
  /** Size of the uploaded image. */
  width: number;
  height: number;
  /** Characters of instructions and prompt. */
  textChars: number;
}

/** Per-message framing the API adds around text and images. */
const FRAMING_TOKENS = 12;
/** Answers are assumed this long until the first one arrives (a structured photo description). */
const INITIAL_OUTPUT_TOKENS = 400;
const ALPHA = 0.2;

export function textTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

export function estimateInputTokens(shape: RequestShape): number {
  return imageTokens(shape.model, shape.detail, shape.width, shape.height) + textTokens(shape.textChars) + FRAMING_TOKENS;
}

export class TokenEstimator {
  #inputScale = 1;
  #output = INITIAL_OUTPUT_TOKENS;
  #observed = 0;

  /** Tokens to reserve for a request of this shape. */
  estimate(shape: RequestShape): number {
    return Math.ceil(estimateInputTokens(shape) * this.#inputScale + this.#output);
  }

  /** An answer's billed usage, against the input estimate that was made for it. */
  observe(shape: RequestShape, usage: { input_tokens: number; output_tokens: number }): void {
    const estimated = estimateInputTokens(shape);
    if (!(usage.input_tokens > 0) || !(estimated > 0)) return;
    const scale = usage.input_tokens / estimated;
    const output = Math.max(0, usage.output_tokens);
    if (this.#observed === 0) {
      this.#inputScale = scale;
      this.#output = output;
    } else {
      this.#inputScale += ALPHA * (scale - this.#inputScale);
      // Longer answers than usual count at once (under-estimating draws 429s); shorter ones slowly.
      this.#output = output > this.#output ? output : this.#output + ALPHA * (output - this.#output);
    }
    this.#observed++;
  }

  get expectedOutput(): number {
    return this.#output;
  }
}
