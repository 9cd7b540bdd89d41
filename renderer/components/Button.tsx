import type { ButtonHTMLAttributes, Ref } from 'react';
import styles from './Button.module.css';

type Variant = 'default' | 'primary' | 'danger' | 'link';

export function Button({
  variant = 'default',
  large = false,
  className,
  type = 'button',
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; large?: boolean; ref?: Ref<HTMLButtonElement> }) {
  const classes = [styles.button, variant !== 'default' && styles[variant], large && styles.large, className].filter(Boolean).join(' ');
  return <button type={type} className={classes} {...rest} />;
}
