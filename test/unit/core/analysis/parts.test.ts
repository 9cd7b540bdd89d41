/**
 * The analysis engine's pure parts: pacing headers, the governor, error
 * classification, schema normalisation, answer parsing, CSV and file names.
 */
import { describe, expect, it } from 'vitest';
import { AnalysisError } from '../../../../electron/core/analysis/analysis-error';
import { classifyHttpError, classifyStreamFailure, refusesStructuredOutput } from '../../../../electron/core/analysis/api/classify';
import { cellValue, csvField, neutraliseFormula, toCsv } from '../../../../electron/core/analysis/output/csv';
import { Governor } from '../../../../electron/core/analysis/run/governor';
import { compileValidator, parseJsonAnswer, readAnswer } from '../../../../electron/core/analysis/api/json-answer';
import { promptedJsonInstructions, resolvePreset } from '../../../../electron/core/analysis/presets';
import { parseGoDuration, parseRetryAfter, readRateInfo } from '../../../../electron/core/analysis/api/rate-headers';
import { outputFileName } from '../../../../electron/core/analysis/output/results';
import { normaliseStrictSchema } from '../../../../electron/core/analysis/api/strict-schema';
import { goDuration } from '../../../servers/openai/ratelimit';
import { parseCsv } from '../../../support/analysis-fixture';

const headers = (h: Record<string, string>) => new Headers(h);

describe('rate-limit headers', () => {
  it('reads Go durations the way the API writes them', () => {
    expect(parseGoDuration('1s')).toBe(1000);
    expect(parseGoDuration('6m0s')).toBe(360_000);
    expect(parseGoDuration('20ms')).toBe(20);
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(parseGoDuration('1h2m3.5s')).toBe(3_723_500);
    expect(parseGoDuration('300µs')).toBeCloseTo(0.3);
    expect(parseGoDuration('0s')).toBe(0);
    for (const ms of [7, 999, 1000, 1234, 61_000, 3_600_001]) expect(parseGoDuration(goDuration(ms))).toBe(ms);
    expect(parseGoDuration('')).toBeUndefined();
    expect(parseGoDuration('soon')).toBeUndefined();
    expect(parseGoDuration('5')).toBeUndefined();
    expect(parseGoDuration('1s then')).toBeUndefined();
  });

  it('retry-after: ms header first, then seconds or an HTTP date; absurd waits are capped', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter(headers({ 'retry-after': '2' }))).toBe(2000);
    expect(parseRetryAfter(headers({ 'retry-after': '2', 'retry-after-ms': '150' }))).toBe(150);
    expect(parseRetryAfter(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now)).toBe(5000);
    expect(parseRetryAfter(headers({ 'retry-after': '86400' }))).toBe(600_000);
    expect(parseRetryAfter(headers({ 'retry-after': 'whenever' }))).toBeUndefined();
    expect(parseRetryAfter(headers({}))).toBeUndefined();
  });

  it('collects x-ratelimit-* into one object', () => {
    expect(
      readRateInfo(headers({ 'x-ratelimit-limit-requests': '600', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '100ms', 'retry-after': '1' })),
    ).toEqual({ limitRequests: 600, remainingRequests: 0, resetRequestsMs: 100, retryAfterMs: 1000 });
    expect(readRateInfo(headers({ 'x-ratelimit-reset-requests': '3' }))).toEqual({ resetRequestsMs: 3000 });
    expect(readRateInfo(undefined)).toEqual({});
  });
});

describe('governor', () => {
  const make = (cap = 16) => {
    let now = 1_000_000;
    const g = new Governor({ cap, initial: 4, now: () => now });
    return { g, advance: (ms: number) => (now += ms) };
  };
  const fill = (g: Governor) => {
    const seqs: number[] = [];
    while (g.canStart().ok) seqs.push(g.started());
    return seqs;
  };

  it('starts at 4, grows while the server reports room, never past the cap', () => {
    const { g } = make(6);
    expect(fill(g)).toHaveLength(4);
    expect(g.canStart()).toEqual({ ok: false, waitMs: Number.POSITIVE_INFINITY });
    g.admitted(1, { limitRequests: 600, remainingRequests: 50 });
    expect(g.limit).toBe(5);
    for (let i = 2; i <= 4; i++) g.admitted(i, { limitRequests: 600, remainingRequests: 50 });
    expect(g.limit).toBe(6);
  });

  it('does not grow when the budget is spent, and paces sends at the stated rate', () => {
    const { g, advance } = make();
    const seqs = fill(g);
    // 600/min = one request per 100 ms; the server says none are left.
    g.admitted(seqs[0]!, { limitRequests: 600, remainingRequests: 0 });
    expect(g.limit).toBe(4);
    g.finished(seqs[0]!);
    const wait = g.canStart();
    expect(wait.ok).toBe(false);
    // The three later requests still waiting for headers will take what refills first.
    expect((wait as { waitMs: number }).waitMs).toBeGreaterThan(300);
    advance((wait as { waitMs: number }).waitMs);
    expect(g.canStart().ok).toBe(true);
  });

  it('halves once per burst of 429s and pauses for retry-after', () => {
    const { g, advance } = make();
    for (let i = 1; i <= 4; i++) {
      const seq = g.started();
      g.admitted(seq, { remainingRequests: 100 });
      g.finished(seq);
    }
    const limit = g.limit;
    const seqs = fill(g);
    g.rateLimited(seqs[0]!, { retryAfterMs: 1000, remainingRequests: 0 });
    g.rateLimited(seqs[1]!, { retryAfterMs: 1000, remainingRequests: 0 });
    expect(g.limit).toBe(Math.floor(limit / 2));
    for (const seq of seqs) g.finished(seq);
    const decision = g.canStart();
    expect(decision.ok).toBe(false);
    expect((decision as { waitMs: number }).waitMs).toBeGreaterThanOrEqual(1000);
    advance(1100);
    expect(g.canStart().ok).toBe(true);
  });

  it('without rate headers: grows by one per admitted request until the first 429, then by 1/n', () => {
    const { g, advance } = make(64);
    const cycle = (times: number) => {
      let outstanding = fill(g);
      for (let i = 0; i < times; i++) {
        const seq = outstanding.shift()!;
        g.admitted(seq, {});
        g.finished(seq);
        outstanding = [...outstanding, ...fill(g)];
      }
      return outstanding;
    };
    const outstanding = cycle(12);
    expect(g.limit).toBe(16);
    g.rateLimited(outstanding[0]!, {});
    for (const seq of outstanding) g.finished(seq);
    expect(g.limit).toBe(8);
    // No retry-after: a one-second pause.
    expect(g.canStart().ok).toBe(false);
    advance(1100);
    for (const seq of cycle(8)) g.finished(seq);
    // Eight admissions at 1/n each add just under one whole request.
    expect(g.limit).toBe(8);
    for (const seq of cycle(8)) g.finished(seq);
    expect(g.limit).toBe(9);
  });
});

describe('error classification (protocol notes §11)', () => {
  const body = (code: string | null, param: string | null = null, type = 'invalid_request_error') => ({ code, param, type });

  it('stops the job for plan limits, quota and eligibility', () => {
    const usage = classifyHttpError(429, body('subscription_sharing_usage_limit_exceeded'), undefined, 'req_1');
    expect(usage).toMatchObject({ code: 'usage_limit', details: { disposition: 'stop_job', requestId: 'req_1', link: { label: 'Manage usage' } } });
    expect(classifyHttpError(429, body('insufficient_quota', null, 'insufficient_quota'), undefined, undefined)).toMatchObject({ code: 'insufficient_quota', details: { disposition: 'stop_job' } });
    expect(classifyHttpError(403, body('subscription_sharing_user_not_eligible'), undefined, undefined).code).toBe('not_eligible');
    expect(classifyHttpError(403, body('subscription_sharing_v2_user_not_eligible'), undefined, undefined).code).toBe('not_eligible');
    expect(classifyHttpError(403, body('chatpass_v2_scope_not_authorized'), undefined, undefined)).toMatchObject({ code: 'forbidden', details: { disposition: 'stop_job' } });
    expect(classifyHttpError(401, undefined, undefined, undefined)).toMatchObject({ code: 'unauthorized', details: { disposition: 'stop_job' } });
    expect(classifyHttpError(400, body('model_not_found', 'model'), undefined, undefined).details.disposition).toBe('stop_job');
  });

  it('retries rate limits and server trouble; fails the item for other 4xx', () => {
    const limited = classifyHttpError(429, body('rate_limit_exceeded', null, 'requests'), headers({ 'retry-after': '1', 'x-ratelimit-reset-requests': '120ms' }), undefined);
    expect(limited).toMatchObject({ code: 'rate_limited', details: { disposition: 'rate_limit', rate: { retryAfterMs: 1000, resetRequestsMs: 120 } } });
    expect(classifyHttpError(503, body('subscription_sharing_usage_unavailable'), undefined, undefined).details.disposition).toBe('backoff');
    expect(classifyHttpError(502, undefined, undefined, undefined).details.disposition).toBe('backoff');
    expect(classifyHttpError(400, body('invalid_image_format'), undefined, undefined)).toMatchObject({ code: 'invalid_request', details: { disposition: 'fail_item' } });
    expect(classifyHttpError(413, body('request_too_large'), undefined, undefined).details.disposition).toBe('fail_item');
  });

  it('recognises a structured-output refusal (plan code, or API-key wording on text.format) but not a bad schema', () => {
    expect(refusesStructuredOutput(classifyHttpError(400, body('subscription_sharing_unsupported_capability', 'text.format'), undefined, undefined))).toBe(true);
    expect(refusesStructuredOutput(classifyHttpError(400, body(null, 'text.format'), undefined, undefined))).toBe(true);
    expect(refusesStructuredOutput(classifyHttpError(400, body('invalid_json_schema', 'text.format.schema'), undefined, undefined))).toBe(false);
    expect(refusesStructuredOutput(classifyHttpError(400, body('subscription_sharing_unsupported_capability', 'input[0].content[1]'), undefined, undefined))).toBe(false);
  });

  it('classifies failures that arrive inside a 200 stream', () => {
    expect(classifyStreamFailure('subscription_sharing_usage_limit_exceeded', undefined, 'req_2', 'partial')).toMatchObject({
      code: 'usage_limit',
      details: { disposition: 'stop_job', partialText: 'partial' },
    });
    expect(classifyStreamFailure('server_is_overloaded', undefined, undefined, '').details.disposition).toBe('backoff');
    expect(classifyStreamFailure('rate_limit_exceeded', undefined, undefined, '').details.disposition).toBe('rate_limit');
  });

  it('never logs the server’s message', () => {
    const error = classifyHttpError(400, { code: 'invalid_value', param: 'input', type: 'x' }, undefined, 'req_9');
    expect(error).toBeInstanceOf(AnalysisError);
    expect(error.logFields()).toEqual({ code: 'invalid_request', status: 400, apiCode: 'invalid_value', param: 'input', requestId: 'req_9' });
  });
});

describe('custom schemas for strict structured outputs', () => {
  it('normalises a lenient schema: closed objects, every property required, optional ones nullable', () => {
    const { schema, changes } = normaliseStrictSchema({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      properties: {
        title: { type: 'string', minLength: 1 },
        rating: { type: 'integer', enum: [1, 2, 3] },
        labels: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } }, additionalProperties: true } },
        extra: { anyOf: [{ type: 'string' }, { type: 'number' }] },
      },
      required: ['title'],
    });
    expect(schema).toEqual({
      type: 'object',
      properties: {
        title: { type: 'string' },
        rating: { type: ['integer', 'null'], enum: [1, 2, 3, null] },
        labels: {
          type: ['array', 'null'],
          items: { type: 'object', properties: { name: { type: ['string', 'null'] } }, additionalProperties: false, required: ['name'] },
        },
        extra: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'null' }] },
      },
      required: ['title', 'rating', 'labels', 'extra'],
      additionalProperties: false,
    });
    expect(changes.join('\n')).toMatch(/Removed “\$schema”/);
    expect(changes.join('\n')).toMatch(/rating.*nullable/);
    const validate = compileValidator(schema);
    expect(validate({ title: 'x', rating: null, labels: null, extra: 2 })).toBeNull();
    expect(validate({ title: 'x', rating: 4, labels: null, extra: 2 })).toMatch(/rating/);
  });

  it('accepts the text.format wrapper and JSON text', () => {
    const wrapped = { name: 'thing', strict: true, schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false } };
    expect(normaliseStrictSchema(wrapped).schema).toEqual(wrapped.schema);
    expect(normaliseStrictSchema(JSON.stringify(wrapped.schema)).changes).toEqual([]);
  });

  it.each([
    ['not JSON', '{type: object', /valid JSON/],
    ['a top-level array', { type: 'array', items: { type: 'string' } }, /top level must be an object/],
    ['allOf', { type: 'object', properties: { a: { allOf: [{ type: 'string' }] } } }, /properties\.a.*allOf/],
    ['a free-form map', { type: 'object', properties: { m: { type: 'object', additionalProperties: { type: 'string' } } } }, /properties\.m.*free-form/],
    ['an array without items', { type: 'object', properties: { list: { type: 'array' } } }, /properties\.list.*items/],
    ['tuple items', { type: 'object', properties: { t: { type: 'array', items: [{ type: 'string' }] } } }, /tuple/],
    ['a remote $ref', { type: 'object', properties: { r: { $ref: 'https://example.com/s.json' } } }, /local/],
    ['an unknown type', { type: 'object', properties: { d: { type: 'date' } } }, /unknown type “date”/],
    ['required naming a missing property', { type: 'object', properties: {}, required: ['ghost'] }, /ghost/],
  ])('refuses %s with the path', (_name, input, message) => {
    expect(() => normaliseStrictSchema(input)).toThrow(message);
    try {
      normaliseStrictSchema(input);
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_schema', options: { field: 'customSchema' } });
    }
  });

  it('refuses schemas nested too deep', () => {
    let inner: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 12; i++) inner = { type: 'object', properties: { x: inner }, required: ['x'], additionalProperties: false };
    expect(() => normaliseStrictSchema(inner)).toThrow(/deeper than 10/);
  });
});

describe('presets', () => {
  it('built-in schemas are strict-mode ready and their validators catch bad answers', () => {
    for (const id of ['describe', 'damage'] as const) {
      const preset = resolvePreset({ preset: id });
      expect(normaliseStrictSchema(preset.schema).changes).toEqual([]);
      expect(preset.instructions).toMatch(/instructions to follow/);
    }
    const damage = resolvePreset({ preset: 'damage' });
    const good = {
      area: 'shower',
      room_type: 'bathroom',
      damages: [{ type: 'mould', location: 'grout', severity: 2, probable_cause: 'damp', recommended_action: 'clean', urgency: 'low' }],
      overall_condition: 'fair',
      confidence: 0.8,
    };
    expect(damage.validate!(good)).toBeNull();
    expect(damage.validate!({ ...good, confidence: 1.5 })).toMatch(/confidence/);
    expect(damage.validate!({ ...good, damages: [{ ...good.damages[0], severity: 6 }] })).toMatch(/damages\.0\.severity/);
    expect(damage.validate!({ ...good, damages: [{ ...good.damages[0], urgency: 'whenever' }] })).toMatch(/urgency/);
    expect(promptedJsonInstructions(damage)).toContain('```json\n{');
  });
});

describe('reading answers', () => {
  it('parses JSON, fenced JSON and JSON after a sentence; reports the rest', () => {
    expect(parseJsonAnswer('{"a":1}')).toEqual({ value: { a: 1 } });
    expect(parseJsonAnswer('```json\n{"a":1}\n```')).toEqual({ value: { a: 1 } });
    expect(parseJsonAnswer('Here you go: {"a":1}')).toEqual({ value: { a: 1 } });
    expect(parseJsonAnswer('Sure! {"a":{"b":1}')).toHaveProperty('error');
    expect(parseJsonAnswer('   ')).toEqual({ error: 'The answer was empty.' });
    expect(readAnswer('plain words', null)).toEqual({});
  });
});

describe('CSV', () => {
  it('quotes what needs quoting and round-trips through an RFC 4180 parser', () => {
    const nasty = ['plain', 'comma, inside', 'quote " inside', 'line\nbreak', 'crlf\r\nbreak', ' leading space', 'trailing ', 'ünïcödé 📷', '', '=SUM(A1)'];
    const csv = toCsv(['h1', 'h2'], nasty.map((v) => [v, csvField(v) === v ? 'unquoted' : 'quoted']));
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual(['h1', 'h2']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(nasty);
  });

  it('defuses spreadsheet formulas in text but leaves numbers alone', () => {
    expect(neutraliseFormula('=HYPERLINK("http://x")')).toBe('\'=HYPERLINK("http://x")');
    expect(neutraliseFormula('+1 555')).toBe("'+1 555");
    expect(neutraliseFormula('@cmd')).toBe("'@cmd");
    expect(neutraliseFormula('-3')).toBe('-3');
    expect(neutraliseFormula('-2.5e3')).toBe('-2.5e3');
    expect(neutraliseFormula('a=b')).toBe('a=b');
    expect(cellValue(['a', 'b'])).toBe('a; b');
    expect(cellValue([{ a: 1 }])).toBe('[{"a":1}]');
    expect(cellValue(null)).toBe('');
    expect(cellValue(0.25)).toBe('0.25');
    expect(cellValue(false)).toBe('false');
  });
});

describe('result file names', () => {
  it('uses the photo name and the first 8 hex of its hash, made safe for every file system', () => {
    const hash = 'abcdef0123456789'.repeat(4);
    expect(outputFileName('/photos/IMG_0001.JPG', hash)).toBe('IMG_0001-abcdef01.json');
    expect(outputFileName('/photos/a:b*c?.jpg', hash)).toBe('a_b_c_-abcdef01.json');
    expect(outputFileName('/photos/..jpg', hash)).toBe('photo-abcdef01.json');
    expect(outputFileName('C:\\photos\\x.png', hash, 'i3')).toMatch(/-abcdef01-i3\.json$/);
    expect(outputFileName(`/p/${'x'.repeat(300)}.jpg`, hash).length).toBeLessThanOrEqual(80 + 14);
  });
});
