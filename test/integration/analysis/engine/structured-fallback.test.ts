/**
 * The analysis engine end to end: a real core signed in against the stand-in
 * authorization server supplies bearer tokens, the engine sends real photos
 * (made with sharp) to the stand-in Responses API, and the tests read what
 * landed on disk. Timings are never asserted; waits poll for states.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type SignedIn,
  isSettled,
  makePhotos,
  readJson,
  responsesRequests,
  resultFiles,
  tempDir,
  waitForJob,
} from '../../../support/analysis-fixture';
import { useEngineCleanups, MODEL, cleanups, dirs, engineFor, bodyOf, useSignedInStandIns } from './support';

useEngineCleanups();

describe('analysis engine — model without structured outputs', () => {
  let s: SignedIn;
  useSignedInStandIns({ latencyMs: 40, structuredOutputs: false }, (signedIn) => (s = signedIn));

  it('falls back to prompted JSON after one refusal, remembers it per model, and never resends the refused body', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 6);
    const before = s.stack.api.requests.length;
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'damage', model: MODEL, detail: 'low', outputDir: d.out });
    const job = await waitForJob(h.engine, id, isSettled);
    expect(job.counts).toMatchObject({ done: 6, failed: 0 });

    const sent = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before);
    const refused = sent.filter((r) => r.status === 400);
    expect(refused).toHaveLength(1);
    expect(bodyOf(refused[0]!).text?.format?.type).toBe('json_schema');
    // Only the very first request asked for json_schema.
    expect(sent.slice(1).every((r) => bodyOf(r).text === undefined)).toBe(true);
    expect(sent.slice(1).every((r) => r.status === 200)).toBe(true);
    expect(sent).toHaveLength(7);
    // No body went out twice.
    const bodies = sent.map((r) => JSON.stringify(r.body));
    expect(new Set(bodies).size).toBe(bodies.length);
    // The fallback asks for JSON in the instructions, with the schema in a fence, and checks answers locally.
    expect(bodyOf(sent[1]!).instructions).toMatch(/```json\n\{/);
    for (const file of await resultFiles(d.out)) {
      const doc = await readJson<Record<string, any>>(join(d.out, file));
      expect(doc.status).toBe('ok');
      expect(doc.structured_output).toBe(false);
      expect(doc.result).toHaveProperty('damages');
    }

    // Remembered across restarts: a new engine on the same data folder never asks again.
    await h.engine.dispose();
    const out2 = await tempDir('loupe-out-');
    cleanups.push(out2.remove);
    const again = await engineFor(s, d.data);
    const mark = s.stack.api.requests.length;
    const id2 = await again.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: out2.path });
    expect((await waitForJob(again.engine, id2, isSettled)).counts.done).toBe(6);
    const later = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= mark);
    expect(later).toHaveLength(6);
    expect(later.every((r) => bodyOf(r).text === undefined && r.status === 200)).toBe(true);
  });
});
