// Error bodies as OpenAI's API sends them. Messages are copied from observed responses where a
// public capture exists (noted inline); SIWC-specific ones follow the SIWC notes (§10–§11) and
// are UNVERIFIED in wording — clients must key on `code`/`param`, never on `message`.

export interface ApiError {
  status: number;
  body: unknown;
  headers?: Record<string, string> | undefined;
  /** Send as-is with this content type (used for the Cloudflare-style HTML 502). */
  raw?: { contentType: string; text: string };
}

export interface ErrorObject {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

export function apiError(status: number, message: string, opts: Partial<Omit<ErrorObject, 'message'>> = {}): ApiError {
  const error: ErrorObject = {
    message,
    type: opts.type ?? 'invalid_request_error',
    param: opts.param ?? null,
    code: opts.code ?? null,
  };
  return { status, body: { error } };
}

// ---- authentication ----

export const missingAuth = (): ApiError =>
  apiError(
    401,
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.",
  );

export function maskKey(key: string): string {
  if (key.length <= 12) return `${key.slice(0, 3)}****`;
  return `${key.slice(0, 8)}${'*'.repeat(Math.min(key.length - 12, 40))}${key.slice(-4)}`;
}

export const invalidApiKey = (key: string): ApiError =>
  apiError(401, `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`, {
    code: 'invalid_api_key',
  });

/** SIWC direct admission rejects with FastAPI-style `{"detail": ...}` rather than an error object (§11.1). */
export const oauthRejected = (detail = 'Could not validate the access token. Please sign in again.'): ApiError => ({
  status: 401,
  body: { detail },
});

export const scopeNotAuthorized = (scope: string): ApiError =>
  apiError(403, `The access token is not authorized for '${scope}'.`, { code: 'chatpass_v2_scope_not_authorized' });

export const routeNotSupported = (method: string, path: string): ApiError =>
  apiError(403, `${method} ${path} is not supported with ChatGPT plan usage. Only POST /v1/responses and GET /v1/models are available.`, {
    code: 'subscription_sharing_route_not_supported',
  });

// ---- routing / body ----

export const invalidUrl = (method: string, path: string): ApiError => apiError(404, `Invalid URL (${method} ${path})`);

/** Observed wording for a body that isn't JSON. */
export const badJson = (): ApiError =>
  apiError(
    400,
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
  );

export const tooLarge = (limit: number): ApiError =>
  apiError(413, `Request body too large. The maximum request size is ${Math.round(limit / (1024 * 1024))} MB.`, {
    code: 'request_too_large',
  });

export const unknownParameter = (param: string): ApiError => apiError(400, `Unknown parameter: '${param}'.`, { param, code: 'unknown_parameter' });

/** Chat Completions words unknown arguments differently from the Responses API. */
export const unrecognizedArgument = (name: string): ApiError => apiError(400, `Unrecognized request argument supplied: ${name}`);

export const missingParameter = (param: string): ApiError =>
  apiError(400, `Missing required parameter: '${param}'.`, { param, code: 'missing_required_parameter' });

export const invalidType = (param: string, expected: string, got: unknown): ApiError =>
  apiError(400, `Invalid type for '${param}': expected ${expected}, but got ${describeType(got)} instead.`, { param, code: 'invalid_type' });

export const invalidValue = (param: string, message: string): ApiError => apiError(400, message, { param, code: 'invalid_value' });

export function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a decimal';
  if (typeof v === 'boolean') return 'a boolean';
  return 'a string';
}

/** SIWC's single code for anything plan usage doesn't offer (§10.2, §11.2); `param` names the culprit. */
export const unsupportedCapability = (param: string, message = 'This Responses parameter is unavailable with ChatGPT plan usage.'): ApiError =>
  apiError(400, message, { param, code: 'subscription_sharing_unsupported_capability' });

export const modelNotFoundResponses = (model: string): ApiError =>
  apiError(400, `The requested model '${model}' does not exist.`, { param: 'model', code: 'model_not_found' });

export const modelNotFoundChat = (model: string): ApiError =>
  apiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, { code: 'model_not_found' });

// ---- images ----

/** Observed for bytes that aren't a decodable PNG/JPEG/GIF/WEBP. */
export const unsupportedImage = (): ApiError =>
  apiError(400, "You uploaded an unsupported image. Please make sure your image has of one the following formats: ['png', 'jpeg', 'gif', 'webp'].", {
    code: 'invalid_image_format',
  });

/** Observed wording for malformed image data URLs (Responses: bare path; Chat: "Invalid image URL: ..."). */
export const badImageDataUrl = (param: string, got: string, chat = false): ApiError =>
  invalidValue(
    param,
    `${chat ? `Invalid image URL: '${param}'.` : `Invalid '${param}'.`} Expected a base64-encoded data URL with an image MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got ${got}.`,
  );

export const imageDownloadFailed = (url: string, param: string): ApiError =>
  apiError(400, `Error while downloading ${url}.`, { param, code: 'invalid_image_url' });

// ---- structured outputs ----

export const invalidSchema = (name: string, context: string[], detail: string, param: string): ApiError =>
  apiError(
    400,
    `Invalid schema for response_format '${name}': In context=(${context.map((c) => `'${c}'`).join(', ')}${context.length === 1 ? ',' : ''}), ${detail}`,
    {
      param,
      code: 'invalid_json_schema',
    },
  );

export const jsonSchemaUnsupported = (param: string): ApiError =>
  apiError(
    400,
    `Invalid parameter: '${param}' of type 'json_schema' is not supported with this model. Learn more about supported models at the Structured Outputs guide: https://platform.openai.com/docs/guides/structured-outputs`,
    { param },
  );

// ---- limits ----

/** Observed format of a request-rate 429 (type "requests", code "rate_limit_exceeded"). */
export const rateLimited = (model: string, limit: number, waitText: string): ApiError =>
  apiError(
    429,
    `Rate limit reached for ${model} in organization org-standin on requests per min (RPM): Limit ${limit}, Used ${limit}, Requested 1. Please try again in ${waitText}. Visit https://platform.openai.com/account/rate-limits to learn more.`,
    { type: 'requests', code: 'rate_limit_exceeded' },
  );

export const insufficientQuota = (): ApiError =>
  apiError(
    429,
    'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
    { type: 'insufficient_quota', code: 'insufficient_quota' },
  );

export const usageLimit = (): ApiError =>
  apiError(429, "You've reached the ChatGPT plan usage limit for this app. Manage usage at https://chatgpt.com/settings/usage.", {
    code: 'subscription_sharing_usage_limit_exceeded',
  });

// ---- server side ----

export function serverError(status = 500): ApiError {
  if (status === 502 || status === 504) {
    // These come from the edge proxy, not the API, so they're HTML.
    const title = status === 502 ? '502 Bad Gateway' : '504 Gateway Time-out';
    return {
      status,
      body: null,
      raw: {
        contentType: 'text/html',
        text: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n`,
      },
    };
  }
  if (status === 503) {
    return apiError(503, 'Our servers are currently overloaded. Please try again later.', {
      type: 'service_unavailable_error',
      code: 'server_is_overloaded',
    });
  }
  return apiError(status, 'The server had an error while processing your request. Sorry about that!', { type: 'server_error' });
}
