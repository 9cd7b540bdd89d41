// Request validation for POST /v1/responses and /v1/chat/completions: the subset of the real
// API's checks an app can trip, plus the ChatGPT-plan (SIWC) restrictions from §10.2.

import type { DataUrlInfo } from './json-stream.ts';
import {
  badImageDataUrl,
  imageDownloadFailed,
  invalidSchema,
  invalidType,
  invalidValue,
  jsonSchemaUnsupported,
  missingParameter,
  modelNotFoundChat,
  modelNotFoundResponses,
  unknownParameter,
  unrecognizedArgument,
  unsupportedCapability,
  unsupportedImage,
  apiError,
  type ApiError,
} from './errors.ts';
import { strictSchemaProblem } from './schema-gen.ts';
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

export interface ValidResponsesRequest {
  model: string;
  stream: boolean;
  store: boolean;
  answer: AnswerRequest;
  /** `text.format` echoed into the response object. */
  textFormat: Record<string, unknown>;
  instructions: string | null;
}

const RESPONSES_PARAMS = new Set([
  'background',
  'context_management',
  'conversation',
  'include',
  'input',
  'instructions',
  'max_output_tokens',
  'max_tool_calls',
  'metadata',
  'model',
  'moderation',
  'multi_agent',
  'parallel_tool_calls',
  'previous_response_id',
  'prompt',
  'prompt_cache_key',
  'prompt_cache_options',
  'prompt_cache_retention',
  'reasoning',
  'safety_identifier',
  'service_tier',
  'store',
  'stream',
  'stream_options',
  'temperature',
  'text',
  'tool_choice',
  'tools',
  'top_logprobs',
  'top_p',
  'truncation',
  'user',
]);

/** Fields ChatGPT-plan requests must omit (§10.2), checked in this order. */
export const PLAN_FORBIDDEN = [
  'background',
  'conversation',
  'max_output_tokens',
  'max_tool_calls',
  'metadata',
  'moderation',
  'multi_agent',
  'previous_response_id',
  'prompt',
  'prompt_cache_retention',
  'safety_identifier',
  'temperature',
  'top_logprobs',
  'top_p',
  'truncation',
  'user',
  'service_tier',
] as const;

const PLAN_UNSUPPORTED_TOOLS = new Set([
  'image_generation',
  'file_search',
  'code_interpreter',
  'computer_use_preview',
  'computer_use',
  'computer',
  'mcp',
  'tool_search',
]);

const CHAT_PARAMS = new Set([
  'messages',
  'model',
  'audio',
  'frequency_penalty',
  'function_call',
  'functions',
  'logit_bias',
  'logprobs',
  'max_completion_tokens',
  'max_tokens',
  'metadata',
  'modalities',
  'moderation',
  'n',
  'parallel_tool_calls',
  'prediction',
  'presence_penalty',
  'prompt_cache_key',
  'prompt_cache_options',
  'prompt_cache_retention',
  'reasoning_effort',
  'response_format',
  'safety_identifier',
  'seed',
  'service_tier',
  'stop',
  'store',
  'stream',
  'stream_options',
  'temperature',
  'tool_choice',
  'tools',
  'top_logprobs',
  'top_p',
  'user',
  'verbosity',
  'web_search_options',
]);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const present = (v: unknown): boolean => v !== undefined && v !== null;

export function findModel(models: ModelEntry[], slug: string): ModelEntry | undefined {
  return models.find((m) => m.slug === slug);
}

const acceptsImages = (m: ModelEntry): boolean => !m.input_modalities || m.input_modalities.includes('image');

export function validateResponses(body: unknown, ctx: ValidationContext): ValidResponsesRequest | ApiError {
  const plan = ctx.auth === 'oauth';
  if (!isObj(body)) return invalidType('body', 'an object', body);
  for (const k of Object.keys(body)) if (!RESPONSES_PARAMS.has(k)) return unknownParameter(k);
  if (typeof body.model !== 'string' || !body.model)
    return body.model === undefined ? missingParameter('model') : invalidType('model', 'a string', body.model);

  if (plan) {
    for (const f of PLAN_FORBIDDEN) if (present(body[f])) return unsupportedCapability(f);
    if (body.stream !== true) return unsupportedCapability('stream', 'ChatGPT plan usage requires `stream: true`.');
    if (body.store !== false) return unsupportedCapability('store', 'ChatGPT plan usage requires `store: false`.');
  } else {
    if (present(body.stream) && typeof body.stream !== 'boolean') return invalidType('stream', 'a boolean', body.stream);
    if (present(body.store) && typeof body.store !== 'boolean') return invalidType('store', 'a boolean', body.store);
  }
  if (present(body.instructions) && typeof body.instructions !== 'string') return invalidType('instructions', 'a string', body.instructions);

  const model = findModel(ctx.models, body.model);

  // ---- input ----
  const answer: AnswerRequest = {
    instructionText: (body.instructions as string | undefined) ?? '',
    userText: [],
    images: [],
    schema: null,
    jsonMode: false,
  };
  const input = body.input;
  if (typeof input === 'string') {
    if (plan) return invalidType('input', 'an array of input items', input);
    answer.userText.push(input);
  } else if (Array.isArray(input)) {
    for (let i = 0; i < input.length; i++) {
      const r = inputItem(input[i], `input[${i}]`, plan, answer, ctx);
      if (r) return r;
    }
  } else if (present(input)) {
    return invalidType('input', 'a string or an array of input items', input);
  } else if (plan) {
    return missingParameter('input');
  }

  // ---- tools ----
  if (present(body.tools)) {
    if (!Array.isArray(body.tools)) return invalidType('tools', 'an array', body.tools);
    for (let i = 0; i < body.tools.length; i++) {
      const t = body.tools[i];
      if (!isObj(t) || typeof t.type !== 'string') return missingParameter(`tools[${i}].type`);
      if (plan && PLAN_UNSUPPORTED_TOOLS.has(t.type))
        return unsupportedCapability(`tools[${i}]`, `The '${t.type}' tool is unavailable with ChatGPT plan usage.`);
    }
  }

  // ---- text.format ----
  let textFormat: Record<string, unknown> = { type: 'text' };
  if (present(body.text)) {
    if (!isObj(body.text)) return invalidType('text', 'an object', body.text);
    const fmt = body.text.format;
    if (present(fmt)) {
      const r = responseFormat(fmt, 'text.format', plan, ctx, answer, false);
      if (!('format' in r)) return r;
      textFormat = r.format;
    }
  }

  if (!model) return modelNotFoundResponses(body.model);
  if (answer.images.length && !acceptsImages(model)) {
    const at = firstImagePath(input);
    return plan
      ? unsupportedCapability(at, `Image input is unavailable for '${model.slug}' with ChatGPT plan usage.`)
      : invalidValue(at, `The model '${model.slug}' does not support image inputs.`);
  }

  return {
    model: body.model,
    stream: body.stream === true,
    store: body.store !== false,
    answer,
    textFormat,
    instructions: (body.instructions as string | undefined) ?? null,
  };
}

function firstImagePath(input: unknown): string {
  if (!Array.isArray(input)) return 'input';
  for (let i = 0; i < input.length; i++) {
    const c = (input[i] as { content?: unknown })?.content;
    if (Array.isArray(c))
      for (let j = 0; j < c.length; j++) if ((c[j] as { type?: unknown })?.type === 'input_image') return `input[${i}].content[${j}]`;
  }
  return 'input';
}

function inputItem(item: unknown, path: string, plan: boolean, answer: AnswerRequest, ctx: ValidationContext): ApiError | null {
  if (!isObj(item)) return invalidType(path, 'an object', item);
  const type = item.type ?? (item.role !== undefined ? 'message' : undefined);
  if (type !== 'message') {
    // Tool outputs, reasoning items and the like pass through unexamined.
    if (typeof type !== 'string') return missingParameter(`${path}.type`);
    return null;
  }
  const role = item.role;
  if (!['user', 'assistant', 'system', 'developer'].includes(String(role))) {
    return invalidValue(`${path}.role`, `Invalid value: '${String(role)}'. Supported values are: 'user', 'assistant', 'system', and 'developer'.`);
  }
  if (plan && role === 'system') {
    return unsupportedCapability(
      `${path}.role`,
      "System messages are unavailable with ChatGPT plan usage; use 'instructions' or a developer message.",
    );
  }
  const sink = (text: string): void => {
    if (role === 'system' || role === 'developer') answer.instructionText += `\n${text}`;
    else if (role === 'user') answer.userText.push(text);
  };
  const content = item.content;
  if (typeof content === 'string') {
    sink(content);
    return null;
  }
  if (!Array.isArray(content)) return invalidType(`${path}.content`, 'a string or an array of content parts', content);
  for (let j = 0; j < content.length; j++) {
    const p = content[j];
    const pp = `${path}.content[${j}]`;
    if (!isObj(p)) return invalidType(pp, 'an object', p);
    switch (p.type) {
      case 'input_text':
      case 'output_text':
      case 'refusal': {
        const t = p.type === 'refusal' ? p.refusal : p.text;
        if (typeof t !== 'string')
          return t === undefined ? missingParameter(`${pp}.${p.type === 'refusal' ? 'refusal' : 'text'}`) : invalidType(`${pp}.text`, 'a string', t);
        if (p.type === 'input_text') sink(t);
        break;
      }
      case 'input_image': {
        if (present(p.detail) && !['low', 'high', 'auto', 'original'].includes(String(p.detail))) {
          return invalidValue(`${pp}.detail`, `Invalid value: '${String(p.detail)}'. Supported values are: 'low', 'high', 'auto', and 'original'.`);
        }
        if (p.image_url === undefined && p.file_id === undefined) return missingParameter(`${pp}.image_url`);
        if (p.file_id !== undefined) {
          if (plan) return unsupportedCapability(`${pp}.file_id`, 'The Files API is unavailable with ChatGPT plan usage; send images as data URLs.');
          return apiError(404, `No such File object: ${String(p.file_id)}`, { param: `${pp}.file_id`, code: 'file_not_found' });
        }
        const r = checkImage(p.image_url, `${pp}.image_url`, ctx, false, String(p.detail ?? 'auto'));
        if ('status' in r) return r;
        answer.images.push(r);
        break;
      }
      case 'input_file':
        break;
      default:
        return invalidValue(
          `${pp}.type`,
          `Invalid value: '${String(p.type)}'. Supported values are: 'input_text', 'input_image', 'output_text', 'refusal', 'input_file', 'computer_screenshot', and 'summary_text'.`,
        );
    }
  }
  return null;
}

function checkImage(url: unknown, path: string, ctx: ValidationContext, chat: boolean, detail: string): ImageInfo | ApiError {
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
function responseFormat(
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

// ---- chat completions ----

export interface ValidChatRequest {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  answer: AnswerRequest;
}

export function validateChat(body: unknown, ctx: ValidationContext): ValidChatRequest | ApiError {
  if (!isObj(body)) return invalidType('body', 'an object', body);
  for (const k of Object.keys(body)) if (!CHAT_PARAMS.has(k)) return unrecognizedArgument(k);
  if (body.model === undefined) return missingParameter('model');
  if (typeof body.model !== 'string') return invalidType('model', 'a string', body.model);
  if (body.messages === undefined) return missingParameter('messages');
  if (!Array.isArray(body.messages)) return invalidType('messages', 'an array', body.messages);
  if (body.messages.length === 0)
    return invalidValue('messages', "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.");

  const answer: AnswerRequest = { instructionText: '', userText: [], images: [], schema: null, jsonMode: false };
  for (let i = 0; i < body.messages.length; i++) {
    const m = body.messages[i];
    const mp = `messages[${i}]`;
    if (!isObj(m)) return invalidType(mp, 'an object', m);
    if (!['system', 'developer', 'user', 'assistant', 'tool', 'function'].includes(String(m.role))) {
      return invalidValue(
        `${mp}.role`,
        `Invalid value: '${String(m.role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`,
      );
    }
    const sink = (t: string): void => {
      if (m.role === 'system' || m.role === 'developer') answer.instructionText += `${answer.instructionText ? '\n' : ''}${t}`;
      else if (m.role === 'user') answer.userText.push(t);
    };
    if (typeof m.content === 'string') sink(m.content);
    else if (Array.isArray(m.content)) {
      for (let j = 0; j < m.content.length; j++) {
        const p = m.content[j];
        const pp = `${mp}.content[${j}]`;
        if (!isObj(p)) return invalidType(pp, 'an object', p);
        if (p.type === 'text') {
          if (typeof p.text !== 'string') return missingParameter(`${pp}.text`);
          sink(p.text);
        } else if (p.type === 'image_url') {
          if (m.role !== 'user')
            return invalidValue(
              `${pp}.type`,
              `Image URLs are only allowed for messages with role 'user', but this message with role '${String(m.role)}' contains an image URL.`,
            );
          if (!isObj(p.image_url)) return missingParameter(`${pp}.image_url`);
          const r = checkImage(p.image_url.url, `${pp}.image_url.url`, ctx, true, String(p.image_url.detail ?? 'auto'));
          if ('status' in r) return r;
          answer.images.push(r);
        } else if (p.type !== 'input_audio' && p.type !== 'file' && p.type !== 'refusal') {
          return invalidValue(
            `${pp}.type`,
            `Invalid value: '${String(p.type)}'. Supported values are: 'text', 'image_url', 'input_audio', 'refusal', and 'file'.`,
          );
        }
      }
    } else if (m.role !== 'assistant') {
      return invalidType(`${mp}.content`, 'a string or an array of content parts', m.content);
    }
  }

  if (present(body.response_format)) {
    const r = responseFormat(body.response_format, 'response_format', false, ctx, answer, true);
    if (!('format' in r)) return r;
  }

  const model = findModel(ctx.models, body.model);
  if (!model) return modelNotFoundChat(body.model);
  if (answer.images.length && !acceptsImages(model)) {
    return apiError(400, 'Invalid content type. image_url is only supported by certain models.', { param: 'messages' });
  }
  const so = body.stream_options;
  return { model: body.model, stream: body.stream === true, includeUsage: isObj(so) && so.include_usage === true, answer };
}
