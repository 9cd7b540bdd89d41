/**
 * Issue #14, item 2: a custom schema is checked completely before a job
 * starts (reference loops, unresolved references, reserved names, size and
 * depth), and checking an answer never recurses without limit.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppState } from '../../../electron/contract';
import { LoupeError } from '../../../electron/core/kernel/errors';
import { compileValidator, jsonDepth, MAX_ANSWER_DEPTH, readAnswer } from '../../../electron/core/analysis/schema/json-answer';
import { normaliseStrictSchema } from '../../../electron/core/analysis/schema/strict-schema';
import { type StandIns, startStandIns } from '../../servers/stack';
import { createCoreFixture, waitForState } from '../../support/core-fixture';

function refusal(schema: unknown): LoupeError {
  try {
    normaliseStrictSchema(schema);
  } catch (error) {
    expect(error).toBeInstanceOf(LoupeError);
    expect((error as LoupeError).code).toBe('invalid_schema');
    expect((error as LoupeError).options.field).toBe('customSchema');
    return error as LoupeError;
  }
  throw new Error(`schema was accepted: ${JSON.stringify(schema).slice(0, 200)}`);
}

const object = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  ...extra,
});

describe('custom schemas: $ref', () => {
  it('refuses a loop of references that never reaches a property or an item, naming the loop', () => {
    const direct = object({ a: { $ref: '#/$defs/x' } }, { $defs: { x: { $ref: '#/$defs/y' }, y: { $ref: '#/$defs/x' } } });
    expect(refusal(direct).message).toMatch(/loop \(#\/\$defs\/x → #\/\$defs\/y → #\/\$defs\/x\)/);
    const self = object({ a: { $ref: '#/$defs/x' } }, { $defs: { x: { $ref: '#/$defs/x' } } });
    expect(refusal(self).message).toMatch(/loop/);
    // Through anyOf (also what "optional" becomes): still no value ever satisfies it.
    const viaAnyOf = object({ a: { $ref: '#/$defs/x' } }, { $defs: { x: { anyOf: [{ $ref: '#/$defs/x' }, { type: 'null' }] } } });
    expect(refusal(viaAnyOf).message).toMatch(/loop/);
    // The same loop as JSON text, the way the window sends it.
    expect(refusal(JSON.stringify(direct)).message).toMatch(/loop/);
  });

  it('accepts recursion that passes through a property or an item (a tree, a linked list, the root)', () => {
    const list = object(
      { head: { $ref: '#/$defs/node' } },
      { $defs: { node: object({ value: { type: 'string' }, next: { anyOf: [{ $ref: '#/$defs/node' }, { type: 'null' }] } }) } },
    );
    const tree = object({ name: { type: 'string' }, children: { type: 'array', items: { $ref: '#' } } });
    for (const schema of [list, tree]) {
      const { schema: normalised } = normaliseStrictSchema(schema);
      // Normalising is idempotent: a saved job's schema is checked again on the next start.
      expect(normaliseStrictSchema(normalised).schema).toEqual(normalised);
      const validate = compileValidator(normalised);
      expect(
        validate(
          schema === list ? { head: { value: 'a', next: { value: 'b', next: null } } } : { name: 'r', children: [{ name: 'c', children: [] }] },
        ),
      ).toBeNull();
    }
  });

  it('refuses references that point at nothing or that answers could not be checked against', () => {
    expect(refusal(object({ a: { $ref: '#/$defs/missing' } })).message).toMatch(/points at nothing.*\$defs\.missing/);
    expect(refusal(object({ a: { $ref: '#/$defs/x' } }, { $defs: { y: { type: 'string' } } })).message).toMatch(/points at nothing/);
    expect(refusal(object({ a: { $ref: '#/properties/b' }, b: { type: 'string' } })).message).toMatch(/isn’t supported/);
    expect(refusal(object({ a: { $ref: 'https://example.com/schema.json' } })).message).toMatch(/only local/);
    // `constructor` is on every object's prototype: it must not count as a definition.
    expect(refusal(object({ a: { $ref: '#/$defs/toString' } }, { $defs: { x: { type: 'string' } } })).message).toMatch(/points at nothing/);
  });
});

describe('custom schemas: names, depth and size', () => {
  it('refuses __proto__, constructor and prototype as names instead of dropping them into the prototype', () => {
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      const asProperty = JSON.parse(`{"type":"object","properties":{"${name}":{"type":"string"},"ok":{"type":"string"}}}`);
      expect(refusal(asProperty).message).toContain(`“${name}”`);
      const asDefinition = JSON.parse(`{"type":"object","properties":{"a":{"type":"string"}},"$defs":{"${name}":{"type":"string"}}}`);
      expect(refusal(asDefinition).message).toContain(`“${name}”`);
    }
    expect(({} as Record<string, unknown>).type).toBeUndefined();
    // A `required` entry naming an inherited member is not "under properties".
    expect(refusal({ type: 'object', properties: { a: { type: 'string' } }, required: ['a', 'hasOwnProperty'] }).message).toMatch(/hasOwnProperty/);
  });

  it('refuses JSON nested too deeply anywhere, even where Loupe does not look at the schema itself', () => {
    const deep = `{"type":"object","properties":{"a":{"type":"string","description":${'['.repeat(5000)}${']'.repeat(5000)}}}}`;
    const error = refusal(deep);
    expect(error.message).toMatch(/nested deeper than/);
    expect(error.message.length).toBeLessThan(300);
    let nested: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 20; i++) nested = object({ n: nested });
    expect(refusal(nested).message).toMatch(/deeper than/);
  });

  it('refuses too many values or characters, with a short message', () => {
    const many = object({ a: { type: 'string', enum: Array.from({ length: 60_000 }, (_, i) => `v${i}`) } });
    expect(refusal(many).message).toMatch(/more than 50000 values/);
    const huge = object({ a: { type: 'string', description: 'x'.repeat(300_000) } });
    expect(refusal(huge).message).toMatch(/larger than/);
  });

  it('quotes long or unreadable names in a bounded, visible form', () => {
    const name = `${'k'.repeat(1_000_000)}`;
    const error = refusal({ type: 'object', properties: { [name]: { type: 'strin' } } });
    expect(error.message.length).toBeLessThan(300);
    const rtl = refusal({ type: 'object', properties: { 'a\u202Egnp.exe\u0000': { type: 'strin' } } });
    // eslint-disable-next-line no-control-regex -- the point: no NUL or bidi override reaches the message
    expect(rtl.message).not.toMatch(/[\u202E\u0000]/);
  });
});

describe('answers: bounded checking', () => {
  it('measures depth without recursion and stops counting past the limit', () => {
    let deep: unknown = null;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(jsonDepth(deep)).toBe(MAX_ANSWER_DEPTH + 1);
    expect(jsonDepth({ a: [1, { b: 2 }] })).toBe(3);
    expect(jsonDepth('text')).toBe(0);
  });

  it('an answer deeper than Loupe checks is a parse error, kept like any other, never a stack overflow', () => {
    const { schema } = normaliseStrictSchema(
      object({ head: { $ref: '#/$defs/node' } }, { $defs: { node: object({ next: { anyOf: [{ $ref: '#/$defs/node' }, { type: 'null' }] } }) } }),
    );
    const validate = compileValidator(schema);
    const depth = 100_000;
    const text = `{"head":${'{"next":'.repeat(depth)}null${'}'.repeat(depth)}}`;
    const answer = readAnswer(text, validate);
    expect(answer.parsed).toBeUndefined();
    expect(answer.parseError).toMatch(/nested deeper than 64 levels/);
    // Within the limit the same schema checks normally.
    const shallow = `{"head":${'{"next":'.repeat(10)}null${'}'.repeat(10)}}`;
    expect(readAnswer(shallow, validate).parsed).toBeDefined();
  });
});

describe('analysis.start with a cyclic $ref schema', () => {
  const API_KEY = 'sk-test-hostile-schema-0123456789abcdef';
  let stack: StandIns;
  beforeAll(async () => {
    stack = await startStandIns({ api: { apiKeys: [API_KEY] } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('is refused at start with the loop named: no request, no job, no output folder', async () => {
    const documentsDir = await mkdtemp(join(tmpdir(), 'loupe-docs-'));
    const fx = await createCoreFixture(stack, { deps: { documentsDir } });
    try {
      const added = await fx.run('accounts.addApiKey', { label: 'Key', baseUrl: stack.endpoints.apiBase, apiKey: API_KEY });
      expect(added.ok, JSON.stringify(added.error)).toBe(true);
      await waitForState(fx.core, (s) => s.models.status === 'ready' && s.models.selected !== null);
      const photo = fileURLToPath(new URL('../../fixtures/good/01-sunset.jpg', import.meta.url));
      expect((await fx.drop({ paths: [photo] })).ok).toBe(true);
      await waitForState(fx.core, (s) => s.analysis.staged.length === 1);
      const before = stack.api.requests.length;
      const schema = object({ a: { $ref: '#/$defs/x' } }, { $defs: { x: { $ref: '#/$defs/y' }, y: { $ref: '#/$defs/x' } } });
      const result = await fx.run('analysis.start', { preset: 'custom', customPrompt: 'Describe it.', customSchema: JSON.stringify(schema) });
      expect(result.ok).toBe(false);
      expect(result.error).toMatchObject({ code: 'invalid_schema', field: 'customSchema' });
      expect(result.error?.message).toMatch(/\$ref.*loop/);
      expect(stack.api.requests.slice(before).filter((r) => r.method === 'POST')).toEqual([]);
      expect(((await fx.run('app.getState')).value as AppState).analysis.jobs).toEqual([]);
      expect(existsSync(join(documentsDir, 'Loupe'))).toBe(false);

      const proto = await fx.run('analysis.start', {
        preset: 'custom',
        customPrompt: 'Describe it.',
        customSchema: '{"type":"object","properties":{"__proto__":{"type":"string"}}}',
      });
      expect(proto.error).toMatchObject({ code: 'invalid_schema' });
      expect(proto.error?.message).toContain('__proto__');
    } finally {
      await fx.dispose();
      await rm(documentsDir, { recursive: true, force: true });
    }
  });
});

describe('answers: hostile keys', () => {
  const describeSchema = () => {
    const { schema } = normaliseStrictSchema(object({ description: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } }));
    return compileValidator(schema);
  };

  it('__proto__ or constructor in an answer is a schema mismatch and pollutes nothing', () => {
    for (const key of ['__proto__', 'constructor']) {
      const answer = readAnswer(`{"description":"a","tags":[],"${key}":{"polluted":true,"prototype":{"polluted":true}}}`, describeSchema());
      expect(answer.parseError).toContain(key);
      expect(answer.parsed).toBeUndefined();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a 1 MB key or 10,000 unknown keys in an answer give a short parse error', () => {
    const huge = readAnswer(`{"description":"a","tags":[],"${'z'.repeat(1024 * 1024)}":1}`, describeSchema());
    expect(huge.parseError!.length).toBeLessThan(500);
    const keys = Array.from({ length: 10_000 }, (_, i) => `"k${i}":1`).join(',');
    const many = readAnswer(`{"description":"a","tags":[],${keys}}`, describeSchema());
    expect(many.parseError).toMatch(/and 9997 more/);
    expect(many.parseError!.length).toBeLessThan(500);
    const notJson = readAnswer(`{"description":"${'q'.repeat(1024 * 1024)}`, describeSchema());
    expect(notJson.parseError!.length).toBeLessThan(500);
  });
});
