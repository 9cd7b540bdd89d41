/**
 * The analysis engine end to end: a real core signed in against the stand-in
 * authorization server supplies bearer tokens, the engine sends real photos
 * (made with sharp) to the stand-in Responses API, and the tests read what
 * landed on disk. Timings are never asserted; waits poll for states.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLAN_FORBIDDEN } from '../../../servers/openai/validate';
import {
  type SignedIn,
  isSettled,
  makePhotos,
  readJson,
  responsesRequests,
  resultFiles,
  waitForItems,
  waitForJob,
} from '../../../support/analysis-fixture';
import { parseCsv } from '../../../support/csv';
import { useEngineCleanups, MODEL, dirs, engineFor, bodyOf, successesByWidth, useSignedInStandIns } from './support';

useEngineCleanups();

describe('analysis engine — structured outputs available', () => {
  let s: SignedIn;
  useSignedInStandIns({ latencyMs: 60 }, (signedIn) => (s = signedIn), { resetFaults: true });

  it('analyses every photo: one JSON each, summary.json and a results.csv that round-trips', async () => {
    const d = await dirs();
    const paths = await makePhotos(d.photos, 8);
    await writeFile(join(d.photos, 'notes.txt'), 'not a photo\n');
    const before = s.stack.api.requests.length;
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'auto', outputDir: d.out });
    const job = await waitForJob(h.engine, id, isSettled);

    expect(job.status).toBe('done');
    expect(job.counts).toMatchObject({ total: 9, done: 8, failed: 0, skipped: 1, pending: 0, inFlight: 0 });
    expect(job.tokens.input).toBeGreaterThan(0);
    expect(h.notifications.at(-1)?.title).toBe('Analysis finished');

    // Every request follows the ChatGPT-plan rules (protocol notes §10.2).
    const sent = responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before);
    expect(sent).toHaveLength(8);
    for (const record of sent) {
      const body = bodyOf(record);
      expect(record.status).toBe(200);
      expect(body.store).toBe(false);
      expect(body.stream).toBe(true);
      expect(Array.isArray(body.input)).toBe(true);
      expect(body.input).toHaveLength(1);
      expect(body.input[0]!.role).toBe('user');
      for (const field of PLAN_FORBIDDEN) expect(body).not.toHaveProperty(field);
      expect(Object.keys(body).sort()).toEqual(['input', 'instructions', 'model', 'store', 'stream', 'text']);
      const [text, image] = body.input[0]!.content;
      expect(text!.type).toBe('input_text');
      expect(image!.type).toBe('input_image');
      expect(image!.image_url).toMatch(/^data:image\/jpeg;base64,<\d+ bytes, \d+x\d+>$/);
      expect(image!.detail).toBe('auto');
      expect(body.text?.format).toMatchObject({ type: 'json_schema', name: 'loupe_describe', strict: true });
    }
    expect([...successesByWidth(sent).values()].every((n) => n === 1)).toBe(true);

    const files = await resultFiles(d.out);
    expect(files).toHaveLength(8);
    for (const file of files) {
      expect(file).toMatch(/^photo-\d{3}-[0-9a-f]{8}\.json$/);
      const doc = await readJson<Record<string, any>>(join(d.out, file));
      expect(doc.status).toBe('ok');
      expect(doc.model).toBe(MODEL);
      expect(doc.preset).toBe('describe');
      expect(doc.source.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(file).toContain(doc.source.sha256.slice(0, 8));
      expect(paths).toContain(doc.source.path);
      expect(doc.usage.input_tokens).toBeGreaterThan(0);
      expect(typeof doc.started_at).toBe('string');
      expect(typeof doc.finished_at).toBe('string');
      expect(doc.result).toMatchObject({ description: expect.any(String), tags: expect.any(Array), setting: expect.any(String) });
      expect(doc.parse_error).toBeUndefined();
    }

    const summary = await readJson<Record<string, any>>(join(d.out, 'summary.json'));
    expect(summary.status).toBe('done');
    expect(summary.counts).toMatchObject({ done: 8, skipped: 1 });
    expect(summary.items).toHaveLength(9);

    const rows = parseCsv(await readFile(join(d.out, 'results.csv'), 'utf8'));
    const [header, ...data] = rows;
    expect(header).toEqual(
      expect.arrayContaining([
        'file',
        'path',
        'status',
        'sha256',
        'output_file',
        'input_tokens',
        'description',
        'tags',
        'subjects',
        'setting',
        'quality_issues',
      ]),
    );
    expect(data).toHaveLength(9);
    const col = (name: string) => header!.indexOf(name);
    for (const row of data) {
      expect(row).toHaveLength(header!.length);
      if (row[col('status')] === 'skipped') {
        expect(row[col('file')]).toBe('notes.txt');
        continue;
      }
      const doc = await readJson<Record<string, any>>(join(d.out, row[col('output_file')]!));
      expect(row[col('path')]).toBe(doc.source.path);
      expect(row[col('description')]).toBe(doc.result.description);
      expect(row[col('tags')]).toBe(doc.result.tags.join('; '));
      expect(row[col('input_tokens')]).toBe(String(doc.usage.input_tokens));
    }

    // Nobody looked at the results while the job ran, so no photo paid for a thumbnail with its upload.
    const first = (await h.engine.items(id, 0, 50))!.items;
    expect(first.filter((i) => i.status === 'done')).toHaveLength(8);
    expect(first.some((i) => i.thumbnail)).toBe(false);
    // The UI view: the page asked for gets results at once and thumbnails as they are made.
    const items = await waitForItems(h.engine, id, (page) => page.filter((i) => i.status === 'done').every((i) => i.thumbnail));
    const photo = items.find((i) => i.status === 'done')!;
    expect(photo.thumbnail).toMatch(/^data:image\/jpeg;base64,/);
    expect(photo.result).toMatchObject({ description: expect.any(String) });
    expect(items.find((i) => i.status === 'skipped')?.error?.message).toMatch(/text file/);
  });

  it('makes thumbnails with the uploads while someone looks at the results', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 6);
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'auto', outputDir: d.out });
    // The window opens at once and shows the first photo only: that page alone gets a thumbnail made on demand.
    expect((await h.engine.items(id, 0, 1))!.items).toHaveLength(1);
    await waitForJob(h.engine, id, isSettled);
    // The others got theirs as they were prepared: the page shows them at once, none made after the fact.
    const rest = (await h.engine.items(id, 1, 50))!.items;
    expect(rest).toHaveLength(5);
    for (const item of rest) expect(item.thumbnail).toMatch(/^data:image\/jpeg;base64,/);
  });

  it('damage preset: answers match the survey schema', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 3);
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'damage', model: MODEL, detail: 'high', outputDir: d.out });
    expect((await waitForJob(h.engine, id, isSettled)).counts.done).toBe(3);
    for (const file of await resultFiles(d.out)) {
      const doc = await readJson<Record<string, any>>(join(d.out, file));
      expect(doc.status).toBe('ok');
      expect(doc.result).toMatchObject({
        area: expect.any(String),
        room_type: expect.any(String),
        damages: expect.any(Array),
        confidence: expect.any(Number),
      });
      for (const damage of doc.result.damages) {
        expect(Number.isInteger(damage.severity) && damage.severity >= 1 && damage.severity <= 5).toBe(true);
        expect(['low', 'medium', 'high', 'immediate']).toContain(damage.urgency);
      }
    }
    const rows = parseCsv(await readFile(join(d.out, 'results.csv'), 'utf8'));
    const damages = rows[0]!.indexOf('damages');
    // Nested lists go into the CSV as JSON.
    for (const row of rows.slice(1)) expect(Array.isArray(JSON.parse(row[damages]!))).toBe(true);
  });

  it('keeps an answer that is not JSON: item unparsed, raw text and parse_error on disk', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 3);
    s.stack.api.faults.next({ type: 'invalid_json_answer' });
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out });
    const job = await waitForJob(h.engine, id, isSettled);
    // Unparsed is not done: counted apart (see unparsed.test.ts for the rest of the story).
    expect(job.counts).toMatchObject({ done: 2, unparsed: 1, failed: 0 });
    const docs = await Promise.all((await resultFiles(d.out)).map((f) => readJson<Record<string, any>>(join(d.out, f))));
    const unparsed = docs.filter((doc) => doc.status === 'unparsed');
    expect(unparsed).toHaveLength(1);
    expect(unparsed[0]!.result).toBeNull();
    expect(unparsed[0]!.raw_text).toMatch(/^Sure! Here is the analysis/);
    expect(unparsed[0]!.parse_error).toMatch(/isn’t valid JSON/);
    const item = (await h.engine.items(id, 0, 10_000))!.items.find((i) => i.parseError)!;
    expect(item.status).toBe('unparsed');
    expect(item.rawText).toBe(unparsed[0]!.raw_text);
    const rows = parseCsv(await readFile(join(d.out, 'results.csv'), 'utf8'));
    const parseErrors = rows.slice(1).map((r) => r[rows[0]!.indexOf('parse_error')]);
    expect(parseErrors.filter(Boolean)).toHaveLength(1);
  });

  it('an answer that breaks the schema is kept with parse_error', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 2);
    s.stack.api.faults.next({ type: 'schema_mismatch_answer' });
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({ paths: [d.photos], preset: 'damage', model: MODEL, detail: 'low', outputDir: d.out });
    expect((await waitForJob(h.engine, id, isSettled)).counts).toMatchObject({ done: 1, unparsed: 1 });
    const docs = await Promise.all((await resultFiles(d.out)).map((f) => readJson<Record<string, any>>(join(d.out, f))));
    const bad = docs.find((doc) => doc.status === 'unparsed')!;
    expect(bad.parse_error).toMatch(/doesn’t match the schema/);
    expect(JSON.parse(bad.raw_text)).toHaveProperty('unexpected_field', true);
  });

  it('custom prompt: a lenient schema is normalised for strict mode; a bad one fails before the job starts', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 2);
    const h = await engineFor(s, d.data);
    const base = {
      paths: [d.photos],
      preset: 'custom' as const,
      model: MODEL,
      detail: 'low' as const,
      outputDir: d.out,
      customPrompt: 'Count the circles.',
    };
    await expect(h.engine.createJob({ ...base, customSchema: '{"type":"array","items":{"type":"string"}}' })).rejects.toMatchObject({
      code: 'invalid_schema',
      options: { field: 'customSchema' },
    });
    await expect(
      h.engine.createJob({
        ...base,
        customSchema: { type: 'object', properties: { tags: { type: 'object', additionalProperties: { type: 'string' } } } },
      }),
    ).rejects.toMatchObject({ code: 'invalid_schema', message: expect.stringContaining('properties.tags') });
    await expect(h.engine.createJob({ ...base, customPrompt: '  ' })).rejects.toMatchObject({
      code: 'invalid_input',
      options: { field: 'customPrompt' },
    });
    expect(h.engine.jobs()).toHaveLength(0);

    const before = s.stack.api.requests.length;
    const id = await h.engine.createJob({
      ...base,
      customSchema: JSON.stringify({
        type: 'object',
        properties: { circles: { type: 'integer' }, colour: { type: 'string' } },
        required: ['circles'],
      }),
    });
    expect((await waitForJob(h.engine, id, isSettled)).counts).toMatchObject({ done: 2, unparsed: 0 });
    const body = bodyOf(responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before)[0]!);
    expect(body.input[0]!.content[0]!.text).toBe('Count the circles.');
    expect(body.text?.format?.schema).toEqual({
      type: 'object',
      properties: { circles: { type: 'integer' }, colour: { type: ['string', 'null'] } },
      required: ['circles', 'colour'],
      additionalProperties: false,
    });
    const rows = parseCsv(await readFile(join(d.out, 'results.csv'), 'utf8'));
    expect(rows[0]).toEqual(expect.arrayContaining(['circles', 'colour']));
  });

  it('custom prompt without a schema: the answer text is the result', async () => {
    const d = await dirs();
    await makePhotos(d.photos, 1);
    const before = s.stack.api.requests.length;
    const h = await engineFor(s, d.data);
    const id = await h.engine.createJob({
      paths: [d.photos],
      preset: 'custom',
      customPrompt: 'What mood does this photo have?',
      model: MODEL,
      detail: 'low',
      outputDir: d.out,
    });
    expect((await waitForJob(h.engine, id, isSettled)).counts.done).toBe(1);
    const body = bodyOf(responsesRequests(s.stack).filter((r) => s.stack.api.requests.indexOf(r) >= before)[0]!);
    expect(body.text).toBeUndefined();
    const [file] = await resultFiles(d.out);
    const doc = await readJson<Record<string, any>>(join(d.out, file!));
    expect(doc.status).toBe('ok');
    expect(typeof doc.result).toBe('string');
    const rows = parseCsv(await readFile(join(d.out, 'results.csv'), 'utf8'));
    expect(rows[1]![rows[0]!.indexOf('result')]).toBe(doc.result);
  });

  it('refuses an output folder it cannot write and a drop with no photos', async () => {
    const d = await dirs();
    const h = await engineFor(s, d.data);
    await writeFile(join(d.photos, 'a.txt'), 'text');
    await expect(h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: d.out })).rejects.toMatchObject({
      code: 'no_images',
    });
    await expect(
      h.engine.createJob({ paths: [d.photos], preset: 'describe', model: MODEL, detail: 'low', outputDir: 'relative/out' }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      options: { field: 'outputDir' },
    });
  });
});
