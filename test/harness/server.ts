/**
 * The browser harness: the real renderer build served on 127.0.0.1 with
 * `window.loupe` bridged over HTTP to a real createCore() running in this Node
 * process with Node adapters. Only the transport differs from the Electron app.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, extname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { AppState } from '../../electron/contract';
import { createNodeDeps } from '../support/node-deps';
import type { CoreDeps } from '../../electron/core/kernel/deps';
import { dispatchCommand, dispatchOffered } from '../../electron/core/kernel/dispatch';
import { type ActiveSession, type Core, type CoreOptions, wireCore } from '../../electron/core/index';
import { LoupeError } from '../../electron/core/kernel/errors';
import { CONTENT_SECURITY_POLICY } from '../../electron/shell/csp';
import { type StandIns, startStandIns } from '../servers/stack';
import { BROWSER_EVENT } from './protocol';

const here = fileURLToPath(new URL('.', import.meta.url));
export const RENDERER_DIR = join(here, '..', '..', 'dist', 'renderer');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

// The app's CSP, except that the bridge may talk to this server.
const HARNESS_CSP = CONTENT_SECURITY_POLICY.replace("connect-src 'none'", "connect-src 'self'");

export interface HarnessOptions {
  port?: number;
  dataDir?: string;
  rendererDir?: string;
  deps?: Partial<CoreDeps>;
  options?: CoreOptions;
  /** Stand-in OpenAI servers to sign in against; started (and stopped) by the harness when omitted. */
  standIns?: StandIns;
  /** Options for the stand-ins the harness starts itself. */
  standInOptions?: Parameters<typeof startStandIns>[0];
  /** Where the core "opens the system browser": by default the URL is recorded for a test (or printed by `npm run harness`). */
  openExternal?: (url: string) => Promise<void>;
  /**
   * 'production' hides what only a development run shows (the test-issuer
   * badge, the development-build footer), for screenshots of the app as
   * people get it. The core is not changed; only the snapshots sent out are.
   */
  presentation?: 'development' | 'production';
}

export interface Harness {
  url: string;
  core: Core;
  /** The active account's bearer credentials (tests scan for leaks of them). */
  session: ActiveSession;
  dataDir: string;
  stack: StandIns;
  /** Every browser URL the core asked to open (sign-in pages), newest last. */
  opened: string[];
  /** Everything the core copied to the clipboard. */
  copied: string[];
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const ownDataDir = !options.dataDir;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'loupe-harness-')));
  const uploadDir = join(dataDir, 'harness-uploads');
  await mkdir(uploadDir, { recursive: true });
  const rendererDir = normalize(options.rendererDir ?? RENDERER_DIR);
  const opened: string[] = [];
  const copied: string[] = [];
  const streams = new Set<ServerResponse>();
  /** Files the page uploaded (dropped): the only paths `/__harness/dropped` stages. */
  const uploaded = new Set<string>();
  const ownStack = !options.standIns;
  const stack = options.standIns ?? (await startStandIns(options.standInOptions));
  const { core, session } = await wireCore(
    createNodeDeps(dataDir, {
      openExternal: async (url) => {
        opened.push(url);
        // Stands in for the system browser: the harness page offers the link in a banner.
        for (const stream of streams) stream.write(`event: ${BROWSER_EVENT}\ndata: ${JSON.stringify(url)}\n\n`);
        await options.openExternal?.(url);
      },
      copyText: (text) => void copied.push(text),
      // A browser page has no native dialogs or file manager: say so instead of doing nothing.
      pickFiles: async () => {
        throw new LoupeError('not_allowed', 'The browser harness has no file dialog. Drop photos or folders onto the window instead.');
      },
      openPath: async (path) => {
        throw new LoupeError('not_allowed', `The browser harness cannot open folders. The results are in ${path}`);
      },
      pickSavePath: async () => {
        throw new LoupeError('not_allowed', "The browser harness has no save dialog. results.csv is in the job's output folder.");
      },
      ...options.deps,
    }),
    { endpoints: stack.endpoints, ...options.options },
  );
  const indexHtml = (await readFile(join(rendererDir, 'index.html'), 'utf8')).replace(
    '<head>',
    '<head>\n    <script src="/__harness/bridge.js"></script>',
  );
  const bridgeJs = await buildBridge();
  const present = (state: AppState): AppState =>
    options.presentation === 'production' ? { ...state, app: { ...state.app, dev: false, testIssuer: null } } : state;
  let host = '';

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    // A page on another local origin must not drive the core.
    if (req.headers.host !== host) return send(res, 421, 'Misdirected request');
    const url = new URL(req.url ?? '/', `http://${host}`);
    if (req.method === 'POST' && req.headers.origin && req.headers.origin !== `http://${host}`) return send(res, 403, 'Forbidden');

    if (url.pathname === '/__harness/bridge.js') return send(res, 200, bridgeJs, MIME['.js']);
    if (url.pathname === '/__harness/invoke' && req.method === 'POST') {
      let payload: { command?: unknown; input?: unknown };
      try {
        payload = JSON.parse((await readBody(req, 1 << 20)).toString('utf8')) as typeof payload;
      } catch {
        return send(res, 400, 'Bad JSON');
      }
      let result = await dispatchCommand(core, payload.command, payload.input);
      if (payload.command === 'app.getState' && result.ok) result = { ok: true, value: present(result.value as AppState) };
      return send(res, 200, JSON.stringify(result), 'application/json');
    }
    if (url.pathname === '/__harness/state' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(`data: ${JSON.stringify(present(core.getState()))}\n\n`);
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (url.pathname === '/__harness/upload' && req.method === 'POST') {
      const name = basename(url.searchParams.get('name') ?? 'file').replace(/[^\w.\- ]/g, '_') || 'file';
      const folder = join(uploadDir, randomUUID());
      await mkdir(folder);
      const path = join(folder, name);
      await pipeline(req, createWriteStream(path));
      uploaded.add(path);
      return send(res, 200, JSON.stringify({ path }), 'application/json');
    }
    // The harness's stand-in for the preload's drop channel (CHANNELS.dropped): like the real one it stages
    // only files the page really dropped, here the ones it uploaded, never a path the page names.
    if (url.pathname === '/__harness/dropped' && req.method === 'POST') {
      let payload: { paths?: unknown };
      try {
        payload = JSON.parse((await readBody(req, 1 << 20)).toString('utf8')) as typeof payload;
      } catch {
        return send(res, 400, 'Bad JSON');
      }
      const result =
        Array.isArray(payload.paths) && payload.paths.every((path) => typeof path === 'string' && uploaded.has(path))
          ? await dispatchOffered(core, { paths: payload.paths })
          : { ok: false, error: { code: 'not_allowed', message: 'Only files dropped on the window can be added.' } };
      return send(res, 200, JSON.stringify(result), 'application/json');
    }
    if (req.method !== 'GET') return send(res, 405, 'Method not allowed');
    if (url.pathname === '/' || url.pathname === '/index.html') return send(res, 200, indexHtml, MIME['.html']);
    const file = normalize(join(rendererDir, decodeURIComponent(url.pathname)));
    if (!file.startsWith(rendererDir + sep)) return send(res, 404, 'Not found');
    try {
      return send(res, 200, await readFile(file), MIME[extname(file)] ?? 'application/octet-stream');
    } catch {
      return send(res, 404, 'Not found');
    }
  }

  const unsubscribe = core.subscribe((state) => {
    const frame = `data: ${JSON.stringify(present(state))}\n\n`;
    for (const stream of streams) stream.write(frame);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  host = `127.0.0.1:${port}`;

  return {
    url: `http://${host}/`,
    core,
    session,
    dataDir,
    stack,
    opened,
    copied,
    async close() {
      unsubscribe();
      for (const stream of streams) stream.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await core.dispose();
      if (ownStack) await stack.close();
      if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** bridge.ts as one classic script (no imports left), built by Vite like the app. */
async function buildBridge(): Promise<string> {
  const output = await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      write: false,
      minify: false,
      target: 'chrome130',
      lib: { entry: join(here, 'bridge.ts'), formats: ['iife'], name: 'loupeHarnessBridge', fileName: () => 'bridge.js' },
    },
  });
  const first = (Array.isArray(output) ? output[0] : output) as { output: Array<{ type: string; code?: string }> };
  const chunk = first.output.find((o) => o.type === 'chunk');
  if (!chunk?.code) throw new Error('harness bridge build produced no code');
  return chunk.code;
}

function send(res: ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8') {
  res.writeHead(status, {
    'content-type': type,
    'content-security-policy': HARNESS_CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  res.end(body);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
