// Request validation for POST /v1/chat/completions (API keys only): the subset of the real API's
// checks an app can trip.

import { invalidType, invalidValue, missingParameter, modelNotFoundChat, unrecognizedArgument, apiError, type ApiError } from './errors.ts';
import type { AnswerRequest } from './answer.ts';
import { CHAT_PARAMS } from './validate-params.ts';
import { acceptsImages, checkImage, findModel, isObj, present, responseFormat, type ValidationContext } from './validate-shared.ts';

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
