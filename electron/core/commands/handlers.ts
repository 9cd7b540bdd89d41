import type { CommandName, CommandOutput, ParsedInput } from '../../contract';

/** The whole handler table: one async handler per contract command, given its parsed input. */
export type CommandHandlers = {
  [C in CommandName]: (input: ParsedInput<C>) => Promise<CommandOutput<C>>;
};

/** One domain's part of the table: the commands named `<domain>.…`. */
export type DomainCommands<Domain extends string> = Pick<CommandHandlers, Extract<CommandName, `${Domain}.${string}`>>;

/** The same table, calling `settled` once each command has finished (answered or failed), before its answer goes back. */
export function settleAfterEach<T extends Partial<CommandHandlers>>(settled: () => void, handlers: T): T {
  const wrapped: Record<string, (input: never) => Promise<unknown>> = {};
  for (const [name, handler] of Object.entries(handlers) as Array<[string, (input: never) => Promise<unknown>]>) {
    wrapped[name] = async (input) => {
      try {
        return await handler(input);
      } finally {
        settled();
      }
    };
  }
  return wrapped as T;
}
