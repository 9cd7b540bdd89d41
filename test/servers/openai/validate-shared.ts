// What the Responses and Chat Completions validators share: the models, the images found in the
// body, and the response format (`text.format` / `response_format`).

import type { DataUrlInfo } from './data-url.ts';
import {
  badImageDataUrl,
  imageDownloadFailed,
  invalidSchema,
  invalidType,
  invalidValue,
  jsonSchemaUnsupported,
  missingParameter,
  unsupportedCapability,
  unsupportedImage,
  type ApiError,
} from './errors.ts';
import { strictSchemaProblem } from './strict-schema.ts';
import type { AnswerRequest, ImageInfo } from './answer.ts';

export interface ModelEntry {
  slug: string;
  display_name: string;
  visibility: 'list' | 'hide';
  input_modalities?: string[];
  [k: string]: unknown;
}

export interface ProbedImage {
  width: number;
  height: number;
  format: string;
}

export interface ValidationContext {
  auth: 'oauth' | 'apiKey';
  models: ModelEntry[];
  structuredOutputs: boolean;
  /** Data URLs found while parsing, by JSON path. */
  dataUrls: Map<string, DataUrlInfo>;
  /** sharp metadata per data-URL path; `null` when the bytes didn't decode. */
  probes: Map<string, ProbedImage | null>;
}

export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const present = (v: unknown): boolean => v !== undefined && v !== null;

export function findModel(models: ModelEntry[], slug: string): ModelEntry | undefined {
  return models.find((m) => m.slug === slug);
}

export const acceptsImages = (m: ModelEntry): boolean => !m.input_modalities || m.input_modalities.includes('image');

export function checkImage(url: unknown, path: string, ctx: ValidationContext, chat: boolean, detail: string): ImageInfo | ApiError {
  if (typeof url !== 'string') return invalidType(path, 'a string', url);
  const info = ctx.dataUrls.get(path);
  if (!info) {
    if (/^https?:\/\//i.test(url)) return imageDownloadFailed(url, path);
    if (url.startsWith('data:')) return badImageDataUrl(path, 'a value with an invalid format', chat);
    return badImageDataUrl(path, "a value without the 'data:' prefix", chat);
  }
  if (info.invalid === 'empty') return badImageDataUrl(path, 'empty base64-encoded bytes', chat);
  if (info.invalid) return badImageDataUrl(path, 'a value with an invalid format', chat);
  if (!info.mime.startsWith('image/')) return badImageDataUrl(path, `a value with an unsupported MIME type '${info.mime}'`, chat);
  const probe = ctx.probes.get(path);
  if (!probe || !['jpeg', 'png', 'webp', 'gif'].includes(probe.format)) return unsupportedImage();
  return { mime: info.mime, bytes: info.bytes, width: probe.width, height: probe.height, detail };
}

/** Shared by `text.format` (Responses) and `response_format` (Chat, where the schema nests under `json_schema`). */
export function responseFormat(
  fmt: unknown,
  path: string,
  plan: boolean,
  ctx: ValidationContext,
  answer: AnswerRequest,
  chat: boolean,
): { format: Record<string, unknown> } | ApiError {
  if (!isObj(fmt)) return invalidType(path, 'an object', fmt);
  switch (fmt.type) {
    case 'text':
      return { format: fmt };
    case 'json_object':
      answer.jsonMode = true;
      return { format: fmt };
    case 'json_schema': {
      if (!ctx.structuredOutputs)
        return plan ? unsupportedCapability(path, 'Structured Outputs are unavailable with ChatGPT plan usage.') : jsonSchemaUnsupported(path);
      const holder = chat ? fmt.json_schema : fmt;
      const hp = chat ? `${path}.json_schema` : path;
      if (!isObj(holder)) return holder === undefined ? missingParameter(hp) : invalidType(hp, 'an object', holder);
      if (typeof holder.name !== 'string') return missingParameter(`${hp}.name`);
      if (!/^[a-zA-Z0-9_-]{1,64}$/.test(holder.name)) {
        return invalidValue(
          `${hp}.name`,
          `Invalid '${hp}.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
        );
      }
      if (!isObj(holder.schema))
        return holder.schema === undefined ? missingParameter(`${hp}.schema`) : invalidType(`${hp}.schema`, 'an object', holder.schema);
      if (holder.strict === true) {
        const problem = strictSchemaProblem(holder.schema);
        if (problem) return invalidSchema(holder.name, problem[0], problem[1], `${hp}.schema`);
      }
      answer.schema = holder.schema;
      return { format: fmt };
    }
    default:
      return invalidValue(`${path}.type`, `Invalid value: '${String(fmt.type)}'. Supported values are: 'text', 'json_object', and 'json_schema'.`);
  }
}
