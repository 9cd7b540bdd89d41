// Request validation for POST /v1/responses and /v1/chat/completions: the subset of the real
// API's checks an app can trip, plus the ChatGPT-plan (SIWC) restrictions from §10.2.
// This file checks /v1/responses and is the one the routes import; Chat Completions is in
// validate-chat.ts, the parameter lists in validate-params.ts, images and formats in validate-shared.ts.

import {
  invalidType,
  invalidValue,
  missingParameter,
  modelNotFoundResponses,
  unknownParameter,
  unsupportedCapability,
  apiError,
  type ApiError,
} from './errors.ts';
import type { AnswerRequest } from './answer.ts';
import { PLAN_FORBIDDEN, PLAN_UNSUPPORTED_TOOLS, RESPONSES_PARAMS } from './validate-params.ts';
import { acceptsImages, checkImage, findModel, isObj, present, responseFormat, type ValidationContext } from './validate-shared.ts';

export { PLAN_FORBIDDEN } from './validate-params.ts';
export { findModel, type ModelEntry, type ProbedImage, type ValidationContext } from './validate-shared.ts';
export { validateChat, type ValidChatRequest } from './validate-chat.ts';

export interface ValidResponsesRequest {
  model: string;
  stream: boolean;
  store: boolean;
  answer: AnswerRequest;
  /** `text.format` echoed into the response object. */
  textFormat: Record<string, unknown>;
  instructions: string | null;
}

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
