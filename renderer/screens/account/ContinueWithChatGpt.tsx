import type { ButtonHTMLAttributes } from 'react';
import styles from './ContinueWithChatGpt.module.css';

/**
 * SIWC's approved button: "Continue with ChatGPT", black on light windows and
 * white on dark ones. The ChatGPT logo goes in the slot before the label once
 * the asset is obtained through OpenAI's approved channel (README → release
 * checklist); it is deliberately not drawn here.
 */
export function ContinueWithChatGpt({
  label = 'Continue with ChatGPT',
  ...rest
}: { label?: 'Continue with ChatGPT' | 'Enable ChatGPT plan usage' } & ButtonHTMLAttributes<HTMLButtonElement>) {
  return (
    <button type="button" className={styles.button} {...rest}>
      <span className={styles.logoSlot} aria-hidden="true" />
      {label}
    </button>
  );
}
