/** What the person is told when the loopback listener cannot bind its port. */
import { LoupeError } from '../kernel/errors';

export function bindError(error: NodeJS.ErrnoException, port: number): LoupeError {
  const options = { retryable: true, cause: error };
  if (port === 0) {
    return new LoupeError('callback_port_unavailable', 'Loupe could not open a local port for sign-in. Please try again.', options);
  }
  if (error.code === 'EADDRINUSE') {
    return new LoupeError(
      'callback_port_unavailable',
      `Port ${port} is in use by another program. Free it, or switch the sign-in callback port to automatic, then try again.`,
      options,
    );
  }
  if (error.code === 'EACCES') {
    return new LoupeError(
      'callback_port_unavailable',
      `Loupe is not allowed to use port ${port}. Choose a port above 1024, or switch the sign-in callback port to automatic.`,
      options,
    );
  }
  return new LoupeError(
    'callback_port_unavailable',
    `Loupe could not open port ${port} for sign-in. Free it, or switch the sign-in callback port to automatic, then try again.`,
    options,
  );
}
