/** The renderer's only way to the main process: `window.loupe`, typed by the contract. */
import { useEffect, useState } from 'react';
import type { AppState, CommandError, CommandInput, CommandName, CommandOutput, LoupeBridge } from '../electron/contract';

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

export async function call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandOutput<C>> {
  const result = await window.loupe.invoke(command, input);
  if (!result.ok) throw new CommandFailure(result.error);
  return result.value;
}

/** The latest snapshot from the main process; the renderer keeps no truth of its own. */
export function useAppState(): AppState | null {
  const [state, setState] = useState<AppState | null>(null);
  useEffect(() => {
    let live = true;
    const unsubscribe = window.loupe.onState((next) => {
      if (live) setState(next);
    });
    void call('app.getState', {}).then((initial) => {
      if (live) setState((current) => current ?? initial);
    });
    return () => {
      live = false;
      unsubscribe();
    };
  }, []);
  return state;
}

/** Runs a command and keeps its error for inline display. */
export function useCommand() {
  const [error, setError] = useState<CommandError | null>(null);
  const [busy, setBusy] = useState(false);
  async function run<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandOutput<C> | undefined> {
    setBusy(true);
    setError(null);
    try {
      return await call(command, input);
    } catch (failure) {
      setError(failure instanceof CommandFailure ? failure.error : { code: 'internal', message: 'Something went wrong.' });
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return { run, error, busy, clearError: () => setError(null) };
}
