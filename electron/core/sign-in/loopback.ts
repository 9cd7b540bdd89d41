import type { Clock } from '../kernel/deps';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { LoupeError } from '../kernel/errors';
import { bindError } from './bind-error';
import { type CallbackOutcome, PAGE_BAD_REQUEST, PAGE_NOT_FOUND, outcomePage } from './callback-pages';
import { callbackQueryCheck } from './callback-query';
import { LOOPBACK_HOST, clientErrorResponse, hostMatches, writePage } from './loopback-http';
import { PASTE_MESSAGES, parsePastedUrl } from './pasted-redirect';

/**
 * Options for one sign-in attempt's loopback redirect listener
 * (RFC 8252 §7.3, loopback interface redirection).
 */
export interface LoopbackOptions {
  /** The attempt's `state` (RFC 6749 §4.1.1); callbacks must carry exactly this value once. */
  expectedState: string;
  /** 0 (default) = ephemeral; a fixed port may be configured by the user. */
  port?: number;
  /** Default '/auth/callback'. */
  path?: string;
  /** Overall attempt timeout, default 10 minutes, on this clock. */
  timeoutMs?: number;
  clock: Clock;
  /** Default 15_000 (server.requestTimeout). */
  requestTimeoutMs?: number;
  /** Default 10_000 (server.headersTimeout). */
  headersTimeoutMs?: number;
  /**
   * How long the browser's callback request is held open for Loupe's outcome
   * (exchange, verification) before it gets a neutral "still finishing" page.
   * Default 30_000.
   */
  outcomeTimeoutMs?: number;
  /**
   * For logs and tests. Never receives query values. 'params' = right state but
   * neither `code` nor `error`, which no authorization server would send.
   */
  onStrayRequest?: (info: { reason: 'method' | 'host' | 'path' | 'state' | 'params'; status: number }) => void;
}

/** A running RFC 8252 §7.3 loopback redirect listener for one attempt. */
export interface LoopbackListener {
  readonly port: number;
  /** Exactly `http://127.0.0.1:${port}${path}`; the byte-identical string is reused in the token request (RFC 6749 §4.1.3). */
  readonly redirectUri: string;
  /**
   * Resolves with the full callback URL (including query) of the first valid callback; rejects with LoupeError 'timeout' after timeoutMs, 'cancelled' after cancel().
   * The browser's request stays open until `report()` (or outcomeTimeoutMs), so its page says what Loupe decided.
   */
  readonly callback: Promise<URL>;
  /** Answers the held browser request with the fixed page for this outcome. Idempotent; a no-op for a pasted redirect. */
  report(outcome: CallbackOutcome): void;
  /** Validate a redirect URL the person pasted (browser on another machine) exactly like a real callback; resolves `callback` when valid. Throws LoupeError('invalid_redirect', …) with a clear message when the URL is not this attempt's redirect (wrong scheme/host/port/path, missing/duplicate/wrong state). */
  submitPastedUrl(raw: string): void;
  /** Stop waiting: rejects `callback` with LoupeError('cancelled'), closes the server and every open connection at once (port freed immediately). Once the callback was delivered, the held browser request still waits for `report()`. Idempotent. */
  cancel(): void;
  /** Close the server and all connections (after success or failure); a held browser request not yet reported gets the generic failure page. Idempotent; resolves when the port is free. */
  close(): Promise<void>;
}

const DEFAULT_PATH = '/auth/callback';
const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
const DEFAULT_OUTCOME_TIMEOUT_MS = 30_000;

/**
 * Start listening for one attempt's authorization response (RFC 8252 §7.3, §8.3;
 * RFC 6749 §4.1.2 and §10.12 for `state`). Binds 127.0.0.1 only, because
 * `localhost` may resolve elsewhere or to IPv6 (RFC 8252 §8.3).
 */
export function startLoopbackListener(options: LoopbackOptions): Promise<LoopbackListener> {
  const path = options.path ?? DEFAULT_PATH;
  const requestedPort = options.port ?? 0;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // Node refuses a headers timeout longer than the request timeout.
  const headersTimeout = Math.min(options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, requestTimeout);
  const outcomeTimeout = options.outcomeTimeoutMs ?? DEFAULT_OUTCOME_TIMEOUT_MS;

  if (!options.expectedState) return Promise.reject(new TypeError('startLoopbackListener: expectedState is required'));
  if (!path.startsWith('/') || /[?#]/.test(path)) {
    return Promise.reject(new TypeError('startLoopbackListener: path must start with "/" and have no query'));
  }
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
    return Promise.reject(
      new LoupeError(
        'callback_port_unavailable',
        `${String(requestedPort)} is not a valid port. Use a port between 1024 and 65535, or an automatic port.`,
      ),
    );
  }

  const checkQuery = callbackQueryCheck(options.expectedState);

  let settled = false;
  let closing = false;
  let timer: { cancel(): void } | undefined;
  let resolveCallback!: (url: URL) => void;
  let rejectCallback!: (error: LoupeError) => void;
  const callback = new Promise<URL>((resolve, reject) => {
    resolveCallback = resolve;
    rejectCallback = reject;
  });
  // The flow may start awaiting only after opening the browser; a timeout or
  // cancel before that must not surface as an unhandled rejection.
  callback.catch(() => {});

  // Responses already started on a socket; a late clientError must not write a second one.
  const responding = new WeakSet<Duplex>();

  const server: Server = createServer({
    requestTimeout,
    headersTimeout,
    // The default 30 s sweep would let the 10 s headers timeout run up to 40 s.
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, headersTimeout)),
  });

  let port = requestedPort;
  let expectedHost = '';
  let redirectUri = '';

  function stopAccepting(dropEveryConnection: boolean): void {
    if (!closing) {
      closing = true;
      server.close();
    }
    if (dropEveryConnection) server.closeAllConnections();
    else server.closeIdleConnections();
  }

  function settle(): boolean {
    if (settled) return false;
    settled = true;
    timer?.cancel();
    return true;
  }

  // The browser's callback request, held open until Loupe knows the outcome.
  let held: { res: ServerResponse; answered: boolean; timer: { cancel(): void }; done: Promise<void> } | undefined;

  function hold(res: ServerResponse): void {
    const done = new Promise<void>((resolve) => {
      res.once('finish', resolve);
      res.once('close', resolve);
    });
    // Bounded: a slow exchange must not leave the tab spinning; the window has the answer.
    const timer = options.clock.setTimeout(() => answer('still_working'), outcomeTimeout);
    held = { res, answered: false, timer, done };
    // A browser that gives up (tab closed) needs no answer.
    res.once('close', () => {
      if (held && !held.answered) {
        held.answered = true;
        held.timer.cancel();
      }
    });
  }

  function answer(outcome: CallbackOutcome): void {
    if (!held || held.answered) return;
    held.answered = true;
    held.timer.cancel();
    respond(held.res, 200, outcomePage(outcome));
  }

  function fail(error: LoupeError): void {
    if (settle()) rejectCallback(error);
    if (held) {
      // The flow already has the callback and goes on (a cancel cannot stop
      // an exchange in flight), so the browser waits for its real outcome;
      // everything is dropped once that page is out.
      stopAccepting(false);
      void held.done.then(() => server.closeAllConnections());
    } else {
      stopAccepting(true);
    }
  }

  function respond(res: ServerResponse, status: number, body: Buffer, extra: Record<string, string> = {}): void {
    if (res.socket) responding.add(res.socket);
    writePage(res, status, body, extra);
  }

  function stray(
    res: ServerResponse,
    reason: 'method' | 'host' | 'path' | 'state' | 'params',
    status: number,
    body: Buffer,
    extra?: Record<string, string>,
  ): void {
    respond(res, status, body, extra);
    try {
      options.onStrayRequest?.({ reason, status });
    } catch {
      // A broken logger must not end the attempt.
    }
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (settled) {
      respond(res, 404, PAGE_NOT_FOUND);
      return;
    }
    if (req.method !== 'GET') return stray(res, 'method', 405, PAGE_NOT_FOUND, { Allow: 'GET' });
    if (!hostMatches(req, expectedHost)) return stray(res, 'host', 404, PAGE_NOT_FOUND);

    // Split by hand: resolving req.url against a base would let `//other/...` change the host.
    const target = req.url ?? '';
    const q = target.indexOf('?');
    if ((q === -1 ? target : target.slice(0, q)) !== path) return stray(res, 'path', 404, PAGE_NOT_FOUND);
    const query = q === -1 ? '' : target.slice(q + 1);
    const params = new URLSearchParams(query);

    const check = checkQuery(params);
    if (check === 'no_result') return stray(res, 'params', 400, PAGE_BAD_REQUEST);
    if (check !== 'ok') return stray(res, 'state', 400, PAGE_BAD_REQUEST);

    settle();
    stopAccepting(false);
    const url = new URL(query ? `${redirectUri}?${query}` : redirectUri);
    // No page yet: "Signed in" may only be said after the iss check, the code
    // exchange and the ID-token verification, which the flow reports back.
    hold(res);
    resolveCallback(url);
  });

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable || responding.has(socket)) {
      socket.destroy();
      return;
    }
    socket.end(clientErrorResponse(error));
  });

  return new Promise<LoopbackListener>((resolve, reject) => {
    const onBindError = (error: NodeJS.ErrnoException) => {
      reject(bindError(error, requestedPort));
    };
    server.once('error', onBindError);
    server.listen({ host: LOOPBACK_HOST, port: requestedPort, exclusive: true }, () => {
      server.off('error', onBindError);
      server.on('error', (error: NodeJS.ErrnoException) => {
        fail(
          new LoupeError('callback_port_unavailable', `The sign-in listener on port ${port} stopped unexpectedly. Please try again.`, {
            retryable: true,
            cause: error,
          }),
        );
      });

      const address = server.address();
      port = typeof address === 'object' && address ? address.port : requestedPort;
      expectedHost = `${LOOPBACK_HOST}:${port}`;
      redirectUri = `http://${expectedHost}${path}`;
      const closed = new Promise<void>((done) => server.once('close', () => done()));

      timer = options.clock.setTimeout(() => {
        fail(new LoupeError('timeout', 'Sign-in timed out before the browser returned to Loupe. Please try again.', { retryable: true }));
      }, timeoutMs);

      const cancel = () => fail(new LoupeError('cancelled', 'Sign-in was cancelled.'));

      resolve({
        port,
        redirectUri,
        callback,
        report: answer,
        submitPastedUrl(raw: string): void {
          if (settled) {
            throw new LoupeError('invalid_redirect', 'This sign-in attempt is no longer waiting. Start sign-in again and paste the new address.');
          }
          const url = parsePastedUrl(raw, port, path, redirectUri);
          const check = checkQuery(url.searchParams);
          if (check !== 'ok') throw new LoupeError('invalid_redirect', PASTE_MESSAGES[check]);
          settle();
          stopAccepting(false);
          url.hash = '';
          resolveCallback(url);
        },
        cancel,
        close(): Promise<void> {
          // The owner is done; if it never reported, the browser still gets an answer (never "Signed in").
          answer('failed');
          cancel();
          return closed;
        },
      });
    });
  });
}
