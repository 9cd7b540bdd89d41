/** The renderer's only way to the main process: `window.loupe`, typed by the contract. */
import { useCallback, useRef, useState } from 'react';
import type { CommandError, CommandInput, CommandName, CommandOutput, LoupeBridge } from '../../electron/contract';

declare global {
  interface Window {
    loupe: LoupeBridge;
  }
}

export class CommandFailure extends Error {
  constructor(readonly error: CommandError) {
    super(error.message);
    this.name = 'CommandFailure';
  }
}

/** Runs a command; a refusal or a broken bridge becomes a CommandFailure with words for a person. */
export async function call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandOutput<C>> {
  let result;
  try {
    result = await window.loupe.invoke(command, input);
  } catch {
    throw new CommandFailure({ code: 'bridge', message: 'Loupe could not reach its background process. Try again.', retryable: true });
  }
  if (!result.ok) throw new CommandFailure(result.error);
  return result.value;
}

export function asCommandError(failure: unknown): CommandError {
  return failure instanceof CommandFailure ? failure.error : { code: 'internal', message: 'Something went wrong. Try again.' };
}

export interface Command {
  /** Resolves to the result, or undefined after a failure (which is then in `error`). */
  run<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandOutput<C> | undefined>;
  error: CommandError | null;
  busy: boolean;
  clearError(): void;
}

/**
 * Every button that calls a command goes through this, and its component shows
 * `error` (with <ErrorText>) beside the button, so no failure goes unseen.
 */
export function useCommand(): Command {
  const [error, setError] = useState<CommandError | null>(null);
  const [pending, setPending] = useState(0);
  // Only the latest run's outcome is shown; an older one finishing late must not overwrite it.
  const latest = useRef(0);
  const run = useCallback(async <C extends CommandName>(command: C, input: CommandInput<C>) => {
    const ticket = ++latest.current;
    setPending((n) => n + 1);
    setError(null);
    try {
      return await call(command, input);
    } catch (failure) {
      if (ticket === latest.current) setError(asCommandError(failure));
      return undefined;
    } finally {
      setPending((n) => n - 1);
    }
  }, []);
  const clearError = useCallback(() => setError(null), []);
  return { run, error, busy: pending > 0, clearError };
}
