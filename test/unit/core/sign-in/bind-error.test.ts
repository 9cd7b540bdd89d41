import { describe, expect, it } from 'vitest';
import { bindError } from '../../../../electron/core/sign-in/bind-error';

const errno = (code: string) => Object.assign(new Error(code), { code });

describe('bindError', () => {
  it('says what to do for each reason a port cannot be bound, always retryable, keeping the cause', () => {
    const busy = bindError(errno('EADDRINUSE'), 1455);
    expect(busy).toMatchObject({ code: 'callback_port_unavailable', options: { retryable: true } });
    expect(busy.message).toContain('Port 1455 is in use');
    expect(busy.cause).toMatchObject({ code: 'EADDRINUSE' });
    expect(bindError(errno('EACCES'), 80).message).toContain('above 1024');
    expect(bindError(errno('EINVAL'), 1455).message).toContain('could not open port 1455');
  });

  it('an automatic port that failed names no port', () => {
    const message = bindError(errno('EADDRINUSE'), 0).message;
    expect(message).toBe('Loupe could not open a local port for sign-in. Please try again.');
  });
});
