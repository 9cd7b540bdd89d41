import type { CommandName, CommandOutput, ParsedInput } from '../../contract';

/** The whole handler table: one async handler per contract command, given its parsed input. */
export type CommandHandlers = {
  [C in CommandName]: (input: ParsedInput<C>) => Promise<CommandOutput<C>>;
};

/** One domain's part of the table: the commands named `<domain>.…`. */
export type DomainCommands<Domain extends string> = Pick<CommandHandlers, Extract<CommandName, `${Domain}.${string}`>>;
