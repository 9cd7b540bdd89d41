/**
 * What a failed start-up tells the person: what failed and where the log is.
 * Pure, so the wording is tested; main.ts shows it with dialog.showErrorBox,
 * which works before and after `ready`.
 */
export function startupFailureMessage(step: string, error: unknown, logPath: string): { title: string; content: string } {
  const reason = error instanceof Error ? error.message : String(error);
  const firstLine = reason.split('\n')[0]?.slice(0, 300) || 'Unknown error';
  return {
    title: 'Loupe could not start',
    content: `Loupe failed while ${step}:\n${firstLine}\n\nThe details are in the log:\n${logPath}`,
  };
}
