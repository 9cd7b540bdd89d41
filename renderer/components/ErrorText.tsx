import type { CommandError } from '../../electron/contract';

/** A command's error, announced to screen readers, or nothing. */
export function ErrorText({ error }: { error: CommandError | null | undefined }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error.message}
    </p>
  );
}
