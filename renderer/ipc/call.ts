/** The renderer's only way to the main process: `window.loupe`, typed by the contract. */
import { useCallback, useRef, useState } from 'react';
import type { CommandError, CommandInput, CommandName, CommandOutput, LoupeBridge } from '../../electron/contract';

declare global {
  interface Window {
    loupe: LoupeBridge;
  }
}

const BRIDGE_ERROR: CommandError = { code: 'bridge', message: 'Loupe could not reach its background process. Try again.', retryable: true };

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
    throw new CommandFailure(BRIDGE_ERROR);
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

/**
 * Stages the files of a drop. The window hands over the `File`s, not paths: the
 * preload finds where each is on disk and stages them itself (no command takes a
 * path). A refusal, or a broken bridge, is kept in `error` for the window to show.
 */
export function useStageDropped(): { stage(files: readonly File[]): Promise<void>; error: CommandError | null } {
  const [error, setError] = useState<CommandError | null>(null);
  const latest = useRef(0);
  const stage = useCallback(async (files: readonly File[]) => {
    const ticket = ++latest.current;
    setError(null);
    let failure: CommandError | null = null;
    try {
      const result = await window.loupe.stageDropped(files);
      if (!result.ok) failure = result.error;
    } catch {
      failure = BRIDGE_ERROR;
    }
    if (ticket === latest.current) setError(failure);
  }, []);
  return { stage, error };
}
