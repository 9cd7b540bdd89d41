import type { ConfirmOptions } from '../../electron/core/kernel/deps';

/** The Node stand-in for the main-process confirmation dialog: answers `answer()` and records every question. */
export function recordingConfirm(
  answer: (options: ConfirmOptions) => boolean = () => true,
): ((options: ConfirmOptions) => Promise<boolean>) & { asked: ConfirmOptions[] } {
  const asked: ConfirmOptions[] = [];
  const confirm = async (options: ConfirmOptions) => {
    asked.push(options);
    return answer(options);
  };
  return Object.assign(confirm, { asked });
}
