import type { Clock } from '../kernel/deps';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { STATUS_CODES, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { LoupeError } from '../kernel/errors';
import { type CallbackOutcome, PAGE_BAD_REQUEST, PAGE_CSP, PAGE_NOT_FOUND, outcomePage } from './callback-pages';

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

const LOOPBACK_HOST = '127.0.0.1';
const DEFAULT_PATH = '/auth/callback';
const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
const DEFAULT_OUTCOME_TIMEOUT_MS = 30_000;

const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': PAGE_CSP,
  Connection: 'close',
};

type QueryCheck = 'ok' | 'missing_state' | 'duplicate_state' | 'wrong_state' | 'no_result';

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

  // Comparing HMACs under a per-listener key keeps the comparison constant-time
  // even when the lengths differ, without an early length check.
  const macKey = randomBytes(32);
  const mac = (value: string) => createHmac('sha256', macKey).update(value, 'utf8').digest();
  const expectedMac = mac(options.expectedState);

  function checkQuery(params: URLSearchParams): QueryCheck {
    const states = params.getAll('state');
    if (states.length === 0) return 'missing_state';
    if (states.length > 1) return 'duplicate_state';
    if (!timingSafeEqual(mac(states[0]!), expectedMac)) return 'wrong_state';
    // Which of these wins, and whether `code` is well-formed, is the sign-in flow's call.
    if (!params.has('error') && !params.has('code')) return 'no_result';
    return 'ok';
  }

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
    res.writeHead(status, { ...COMMON_HEADERS, ...extra, 'Content-Length': String(body.length) });
    res.end(body);
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

  function hostMatches(req: IncomingMessage): boolean {
    // rawHeaders, because Node keeps only the first of several Host headers in req.headers.
    const hosts: string[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (req.rawHeaders[i]!.toLowerCase() === 'host') hosts.push(req.rawHeaders[i + 1]!);
    }
    // An exact Host defeats DNS rebinding: a page on another name that resolves to 127.0.0.1 can't reach us.
    return hosts.length === 1 && hosts[0] === expectedHost;
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (settled) {
      respond(res, 404, PAGE_NOT_FOUND);
      return;
    }
    if (req.method !== 'GET') return stray(res, 'method', 405, PAGE_NOT_FOUND, { Allow: 'GET' });
    if (!hostMatches(req)) return stray(res, 'host', 404, PAGE_NOT_FOUND);

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
    const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const headers = Object.entries({ ...COMMON_HEADERS, 'Content-Length': String(PAGE_BAD_REQUEST.length) })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${headers}\r\n`, 'latin1'), PAGE_BAD_REQUEST]));
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

function bindError(error: NodeJS.ErrnoException, port: number): LoupeError {
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

const PASTE_MESSAGES: Record<Exclude<QueryCheck, 'ok'>, string> = {
  missing_state: 'That address is missing its sign-in details. Copy the whole address from the browser, including everything after "?".',
  duplicate_state: 'That address does not look like a sign-in redirect: it carries the sign-in state more than once.',
  wrong_state: 'That address belongs to a different sign-in attempt. Paste the address from the sign-in you just started.',
  no_result: 'That address has no sign-in result. Finish signing in in the browser, then copy the address it ends on.',
};

/** Checks the parts of a pasted RFC 8252 §7.3 redirect that a real callback gets from the socket. */
function parsePastedUrl(raw: string, port: number, path: string, redirectUri: string): URL {
  const expected = `It should start with ${redirectUri}`;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new LoupeError('invalid_redirect', `That is not a web address. Paste the whole address from the browser's address bar. ${expected}.`);
  }
  if (url.protocol !== 'http:') throw new LoupeError('invalid_redirect', `That is not a Loupe sign-in address. ${expected}.`);
  if (url.hostname !== LOOPBACK_HOST) {
    throw new LoupeError('invalid_redirect', `That address does not point at ${LOOPBACK_HOST}, where Loupe is waiting. ${expected}.`);
  }
  if (url.username || url.password) throw new LoupeError('invalid_redirect', `That is not a Loupe sign-in address. ${expected}.`);
  // Compare origins, not `url.port`, because the URL parser drops a default port 80.
  if (url.origin !== new URL(redirectUri).origin) {
    throw new LoupeError(
      'invalid_redirect',
      `That address is for a different sign-in (wrong port); this sign-in is waiting on port ${port}. ${expected}.`,
    );
  }
  if (url.pathname !== path) throw new LoupeError('invalid_redirect', `That address has the wrong path. ${expected}.`);
  return url;
}
