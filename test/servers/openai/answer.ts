// What the stand-in "model" says, and what it bills. No inference: the text is derived from the
// request (requested schema, prompt, image headers) so the app's parsing paths get exercised.

import { generateFromSchema, violateSchema, type JsonSchema } from './schema-gen.ts';
import { findFencedJson, generateFromExample, looksLikeSchema } from './schema-prompt.ts';
import { hashSeed } from './schema-rng.ts';

export interface ImageInfo {
  mime: string;
  bytes: number;
  width: number;
  height: number;
  detail?: string;
}

export interface AnswerRequest {
  /** Instructions plus system/developer text. */
  instructionText: string;
  /** User-visible input text, in order. */
  userText: string[];
  images: ImageInfo[];
  /** `json_schema` schema when the request asked for Structured Outputs. */
  schema: JsonSchema | null;
  /** `json_object` mode (or JSON mode in chat). */
  jsonMode: boolean;
}

export type AnswerFault = 'invalid_json' | 'schema_mismatch' | null;

export function answerText(req: AnswerRequest, fault: AnswerFault = null): string {
  const img = req.images[0];
  const seed = img ? hashSeed(img.mime, img.bytes, img.width, img.height) : hashSeed(req.userText.join('\n'), req.instructionText);
  const headline = img
    ? `A ${img.width}x${img.height} ${formatName(img.mime)} photo (${img.bytes} bytes)${req.images.length > 1 ? ` and ${req.images.length - 1} more image(s)` : ''}.`
    : `A reply to: ${truncate(req.userText.at(-1) ?? req.instructionText, 60)}`;
  const ctx = { seed, headline };

  let schema: JsonSchema | null = req.schema;
  let example: unknown = undefined;
  const wantsJson = req.jsonMode || schema !== null || /\bjson\b/i.test(req.instructionText) || req.userText.some((t) => /\bjson\b/i.test(t));
  if (!schema && wantsJson) {
    // Prompted JSON: honour a schema or example the prompt spells out in a ```json fence.
    for (const block of findFencedJson([req.instructionText, ...req.userText].join('\n'))) {
      if (looksLikeSchema(block)) {
        schema = block;
        break;
      }
      if (example === undefined && block && typeof block === 'object') example = block;
    }
  }

  if (!wantsJson) {
    const base = img
      ? `${headline} It shows a ${['calm', 'bright', 'moody'][seed % 3]} scene; the composition is balanced and the subject is in focus.`
      : `${headline}. This is the stand-in model's plain-text answer.`;
    return fault === 'invalid_json' ? base : fault === 'schema_mismatch' ? JSON.stringify({ unexpected: base }) : base;
  }

  const value = schema
    ? generateFromSchema(schema, ctx)
    : example !== undefined
      ? generateFromExample(example, ctx)
      : {
          description: headline,
          tags: ['photo', ...(img ? [formatName(img.mime).toLowerCase(), img.width >= img.height ? 'landscape' : 'portrait'] : [])],
        };

  if (fault === 'schema_mismatch') return JSON.stringify(violateSchema(schema, value));
  const json = JSON.stringify(value);
  // Models that break JSON mostly chat before it and stop early; this is unparseable either way.
  if (fault === 'invalid_json') return `Sure! Here is the analysis:\n${json.slice(0, Math.max(1, Math.floor(json.length * 0.6)))}`;
  return json;
}

function formatName(mime: string): string {
  const sub = mime.split('/')[1] ?? 'image';
  return sub === 'jpeg' || sub === 'jpg' ? 'JPEG' : sub.toUpperCase();
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

// ---- usage ----

/** Roughly what the API bills for one image (the published 512-px tile scheme). */
export function imageTokens(width: number, height: number, detail = 'auto'): number {
  if (detail === 'low' || !width || !height) return 85;
  let w = width;
  let h = height;
  const fit = Math.min(1, 2048 / Math.max(w, h));
  w *= fit;
  h *= fit;
  const shrink = Math.min(1, 768 / Math.min(w, h));
  w *= shrink;
  h *= shrink;
  return 85 + 170 * Math.ceil(w / 512) * Math.ceil(h / 512);
}

export function textTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function usageFor(req: AnswerRequest, output: string): { input: number; output: number } {
  let input = textTokens(req.instructionText) + req.userText.reduce((n, t) => n + textTokens(t) + 4, 0) + 3;
  for (const i of req.images) input += imageTokens(i.width, i.height, i.detail);
  return { input, output: Math.max(1, textTokens(output)) };
}
