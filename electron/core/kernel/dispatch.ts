import type { z } from 'zod';
import { type CommandError, type CommandName, type CommandResult, commands, isCommandName, offeredPaths } from '../../contract';
import { boundCommandError, fieldPath, quoteKey, toCommandError } from './errors';
import { type Logger, silentLogger } from './deps';

/** A handler for every contract command; what each takes and returns is the command table's business, not the boundary's. */
type AnyHandlers = { readonly [C in CommandName]: (input: never) => Promise<unknown> };

/**
 * Turns one untrusted (command, input) pair into a CommandResult: the command
 * must be in the contract, the input must parse with its schema, and anything
 * thrown is mapped to the error shape. The Electron IPC manager and the browser
 * harness both call this, so the two transports behave the same. `log` is the
 * caller's (the shell's log file): it hears that an unexpected error happened,
 * by name only.
 */
export async function dispatchCommand(
  core: { readonly commands: AnyHandlers },
  command: unknown,
  input: unknown,
  log: Logger = silentLogger,
): Promise<CommandResult<unknown>> {
  if (!isCommandName(command)) {
    return { ok: false, error: { code: 'unknown_command', message: 'Loupe does not know that command.' } };
  }
  const parsed = commands[command].input.safeParse(input);
  if (!parsed.success) return { ok: false, error: invalidInput(parsed.error) };
  const handler = core.commands[command] as (input: unknown) => Promise<unknown>;
  return settle(log, command, () => handler(parsed.data));
}

/**
 * Paths offered by a trusted main-process source, `{ paths }`: a drop (the
 * preload's CHANNELS.dropped, after the shell's sender check) or the tray's
 * file dialog. Validated and answered like a command, but not one: the
 * renderer's `invoke` has no way to stage a path it names.
 */
export async function dispatchOffered(
  core: { stageOffered(paths: readonly string[]): Promise<void> },
  input: unknown,
  log: Logger = silentLogger,
): Promise<CommandResult<void>> {
  const parsed = offeredPaths.safeParse(input);
  if (!parsed.success) return { ok: false, error: invalidInput(parsed.error) };
  return settle(log, 'stage offered paths', () => core.stageOffered(parsed.data.paths));
}

async function settle<T>(log: Logger, what: string, run: () => Promise<T>): Promise<CommandResult<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    const mapped = toCommandError(error);
    if (mapped.code === 'internal') log.error('command failed', { command: what, error: describe(error) });
    return { ok: false, error: boundCommandError(mapped) };
  }
}

/** Names the first problem in a bounded form: hostile input may carry 10,000 unknown keys or a 1 MB one. */
function invalidInput(error: z.ZodError): CommandError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? fieldPath(issue.path) : undefined;
  const keys = issue?.code === 'unrecognized_keys' ? issue.keys : undefined;
  const what = keys
    ? `unknown field${keys.length > 1 ? 's' : ''} ${keys
        .slice(0, 3)
        .map((k) => `"${quoteKey(k)}"`)
        .join(', ')}${keys.length > 3 ? ` and ${keys.length - 3} more` : ''}`
    : (issue?.message ?? 'invalid');
  const message = field ? `Invalid value for "${field}": ${what}` : `Invalid input: ${what}`;
  return boundCommandError(field ? { code: 'invalid_input', message, field } : { code: 'invalid_input', message });
}

/** Error name and code only: messages of unexpected errors may quote secrets. */
function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.name} (${code})` : error.name;
  }
  return typeof error;
}
