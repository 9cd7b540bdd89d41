/**
 * A batch part file uploaded the way the app uploads it: the core's Batch API client over the shell's
 * fetch (electron/shell/streaming-fetch.ts), on the Electron double's session and net.request, to a real
 * HTTP server on loopback. The body streams from the file chunked, so the main process never holds more
 * than a chunk of it, and progress is reported as it goes; the same upload through `session.fetch` (what
 * the app did before) is held whole, as Electron holds it.
 */
import { createHash } from 'node:crypto';
import { openAsBlob, writeFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchJob, type BatchUpload } from '../../electron/core/analysis/runs/batch/batch-job';
import { BatchApi } from '../../electron/core/analysis/runs/batch/batch-api';
import { createCoreFetch } from '../../electron/shell/streaming-fetch';
import { parseMultipart } from '../servers/openai/files';
import { createElectronDouble } from './double/electron-double';

const MB = 1024 * 1024;

describe('batch uploads through the app fetch', () => {
  let server: Server;
  let base: string;
  let file: string;
  let content: Buffer;
  const uploads: Array<{ filename: string; sha: string; purpose: string | undefined; chunked: boolean }> = [];

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loupe-upload-'));
    file = join(dir, 'part-1.jsonl');
    const line = `${JSON.stringify({ custom_id: 'x', method: 'POST', url: '/v1/responses', body: { input: 'y'.repeat(1000) } })}\n`;
    writeFileSync(file, line.repeat(Math.ceil((24 * MB) / line.length)));
    content = await readFile(file);
    server = createServer((req: IncomingMessage, res) => {
      if (req.url === '/v1/batches') {
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `batch-${uploads.length}`, status: 'validating' }));
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const parsed = parseMultipart(Buffer.concat(chunks), String(req.headers['content-type']));
        if ('status' in parsed || !parsed.file) {
          res.writeHead(400).end('{}');
          return;
        }
        uploads.push({
          filename: parsed.file.filename,
          sha: createHash('sha256').update(parsed.file.data).digest('hex'),
          purpose: parsed.fields.get('purpose'),
          chunked: req.headers['transfer-encoding'] === 'chunked',
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `file-${uploads.length}` }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const double = () => {
    const d = createElectronDouble({
      platform: 'linux',
      appData: tmpdir(),
      userData: tmpdir(),
      userDataSwitch: true,
      documents: tmpdir(),
      appPath: tmpdir(),
      packaged: true,
      version: '0.1.0',
      singleInstanceLock: true,
      storageBackend: 'gnome_libsecret',
    });
    d.control.fireReady();
    return d;
  };

  /** The Batch API client over the app's fetch, on the double's session and net.request. */
  const appApi = () => {
    const { module: electron, control } = double();
    const session = electron.session.fromPartition('loupe-net');
    const fetch = createCoreFetch(session as unknown as Electron.Session, electron.net.request as never);
    return { api: new BatchApi({ apiBase: new URL(base), token: async () => 'sk-test', fetch }), control };
  };

  it('streams the file chunked: every byte arrives, the main process holds a chunk at a time, progress climbs to the total', async () => {
    const { api, control } = appApi();
    const progress: Array<[number, number]> = [];
    const id = await api.uploadJsonl('loupe-job-1.jsonl', await openAsBlob(file), undefined, (sent, total) => progress.push([sent, total]));

    expect(id).toMatch(/^file-\d+$/);
    expect(uploads.at(-1)).toEqual({
      filename: 'loupe-job-1.jsonl',
      sha: createHash('sha256').update(content).digest('hex'),
      purpose: 'batch',
      chunked: true,
    });
    expect(control.bodies).toHaveLength(1);
    const [body] = control.bodies;
    expect(body).toMatchObject({ via: 'net.request', chunked: true });
    expect(body!.bytes).toBeGreaterThan(content.length);
    expect(body!.heldBytes).toBeLessThanOrEqual(MB);
    const total = progress.at(-1)![1];
    expect(progress.at(-1)![0]).toBe(total);
    expect(total).toBe(body!.bytes);
    expect(progress.length).toBeGreaterThan(20);
    expect(progress.every(([sent], i) => i === 0 || sent > progress[i - 1]![0])).toBe(true);
  });

  it('the same upload through session.fetch is held whole in memory first (Electron net.fetch)', async () => {
    const { module: electron, control } = double();
    const session = electron.session.fromPartition('loupe-net');
    const api = new BatchApi({
      apiBase: new URL(base),
      token: async () => 'sk-test',
      fetch: ((input: string, init: RequestInit) => session.fetch(input, init)) as never,
    });
    await api.uploadJsonl('loupe-job-2.jsonl', await openAsBlob(file));
    expect(control.bodies).toEqual([expect.objectContaining({ via: 'session.fetch', chunked: false })]);
    expect(control.bodies[0]!.heldBytes).toBeGreaterThan(content.length);
  });

  it("a batch job reports each part's upload as it streams (the job card's `batch.upload`)", async () => {
    const { api } = appApi();
    const seen: BatchUpload[] = [];
    const saved: unknown[] = [];
    const job = new BatchJob({
      api,
      sleep: async () => {},
      save: async (state) => void saved.push(structuredClone(state)),
      validate: null,
      structured: false,
      jobId: 'job-1',
      onUpload: (upload) => seen.push(upload),
    });
    const blob = await openAsBlob(file);
    await job.submit([
      { customIds: ['a'], content: blob },
      { customIds: ['b'], content: blob },
    ]);
    for (const part of [1, 2]) {
      const mine = seen.filter((u) => u.part === part);
      expect(mine.length).toBeGreaterThan(20);
      expect(mine.every((u) => u.parts === 2)).toBe(true);
      expect(mine.at(-1)!.sentBytes).toBe(mine.at(-1)!.totalBytes);
    }
    expect(job.state.parts.map((p) => p.batchId)).toEqual([expect.stringMatching(/^batch-/), expect.stringMatching(/^batch-/)]);
  });

  it('a cancelled upload stops at once with the cancelled error', async () => {
    const { api } = appApi();
    const abort = new AbortController();
    const before = uploads.length;
    const upload = api.uploadJsonl('loupe-job-3.jsonl', await openAsBlob(file), abort.signal, (sent) => {
      if (sent > 4 * MB) abort.abort();
    });
    await expect(upload).rejects.toMatchObject({ code: 'cancelled' });
    expect(uploads.length).toBe(before);
  });
});
