/** The contract's error shape: every code a command may answer with, by domain (see electron/contract.ts). */

// ---------------------------------------------------------------------------
// Errors

/**
 * Every error code a command can answer with, by domain. A code is stable (the
 * renderer and tests match on it); the message is what a person reads.
 */
export const ERROR_CODES = {
  /** The trust boundary: dispatch and the IPC manager. */
  boundary: ['invalid_input', 'unknown_command', 'internal', 'forbidden_sender', 'not_allowed'],
  /** The renderer's side of IPC: the bridge itself failed (the main process did not answer). */
  bridge: ['bridge'],
  accounts: [
    'signed_out',
    'needs_sign_in',
    'unknown_account',
    'not_oauth',
    'invalid_api_key',
    'invalid_provider',
    'plan_usage_disabled',
    'account_mismatch',
    'session_expired',
    'token_expired',
    'unauthorized',
    /** The OS keychain refused or is locked: the vault file is kept untouched. */
    'keychain_unavailable',
    /** The person declined (or the shell could not show) a main-process confirmation. */
    'not_confirmed',
  ],
  /** Signing in, refreshing and signing out (RFC 6749 / SIWC codes keep their names). */
  auth: [
    'access_denied',
    'authorization_failed',
    'callback_port_unavailable',
    'cancelled',
    'client_mismatch',
    'discovery_failed',
    'identity_verification_unavailable',
    'invalid_callback',
    'invalid_client',
    'invalid_configuration',
    'invalid_grant',
    'invalid_id_token',
    'invalid_redirect',
    'invalid_refresh_token',
    'invalid_scope',
    'invalid_token_response',
    'network_error',
    'no_sign_in',
    'refresh_failed',
    'refresh_not_ready',
    'refresh_token_expired',
    'refresh_token_invalidated',
    'refresh_token_reused',
    'registration_incomplete',
    'server_unavailable',
    'sign_in_failed',
    'sign_in_in_progress',
    'timeout',
    'token_exchange_failed',
    'issuer_mismatch',
    'openai_domain_refused',
    'unexpected_response',
  ],
  models: ['models_forbidden', 'models_unavailable', 'unexpected_models_response', 'unknown_model'],
  /** Staging, starting and managing jobs, and reading photos. */
  analysis: [
    'nothing_staged',
    /** This build has no dialog for it (the browser harness). */
    'not_supported',
    'too_many_inputs',
    'no_model',
    'no_images',
    'invalid_schema',
    'invalid_state',
    'job_not_found',
    'job_save_failed',
    'nothing_to_export',
    'output_dir_unwritable',
    'image_too_large',
    'image_too_many_pixels',
    'unreadable_image',
    /** Batch mode was asked of an account whose server has no Batch API (ChatGPT-plan sign-ins). */
    'batch_unavailable',
  ],
  /** One request to the model API (analysis/api/classify.ts says what each one does to a job). */
  api: [
    'insufficient_quota',
    'not_eligible',
    'forbidden',
    'unsupported_capability',
    'model_not_found',
    'rate_limited',
    'server_error',
    'invalid_request',
    'invalid_stream',
    'stream_interrupted',
    'response_too_large',
    'response_incomplete',
    'network',
    'usage_limit',
    'output_unwritable',
    /** Loupe's own code failed while handling an answer: not retried, the paid answer kept. */
    'internal_error',
    /** The Batch API ended a batch (expired, cancelled) before this photo was answered. */
    'batch_incomplete',
    /** The Batch API could not take the job (upload or batch creation refused). */
    'batch_failed',
  ],
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES][number];

const ALL_ERROR_CODES: ReadonlySet<string> = new Set(Object.values(ERROR_CODES).flat());
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && ALL_ERROR_CODES.has(value);
}

/**
 * The only error shape that crosses IPC: a stable code and a message written
 * for a person. Never a stack, never a server body that may echo secrets.
 */
export interface CommandError {
  code: ErrorCode;
  message: string;
  /** For `invalid_input`: the dotted path of the first offending field. */
  field?: string;
  /** True when trying again later may succeed. */
  retryable?: boolean;
}

export type CommandResult<T> = { ok: true; value: T } | { ok: false; error: CommandError };
