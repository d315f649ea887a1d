import { describe, expect, it } from 'vitest';
import { loadFixtureSchemas } from '../../../src/cli/package-schemas.js';
import { generateFixtures, resolveEventType, type FixtureSchema } from '../../../src/conformance/index.js';
import { repoRoot } from '../../helpers/schemas.js';

const isValid = (type: string, data: unknown): boolean => resolveEventType(type)?.validate(data) === true;

const SCHEMA: FixtureSchema = {
  type: 'demo.thing',
  template: false,
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'count'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      count: { type: 'integer', minimum: 0 },
      note: { type: ['string', 'null'] },
    },
    examples: [{ id: 'cfbfe645-b49b-41e4-845e-76f3fc3ce157', count: 1, note: 'hi' }],
  },
};

describe('generateFixtures', () => {
  it('labels edge cases and near-invalid payloads, keeping each only when the validator agrees with its label', () => {
    // a stand-in validator for the demo schema, so the test does not depend on the shipped contract
    const demoValid = (_type: string, d: unknown): boolean => {
      const o = d as Record<string, unknown> | null;
      if (o === null || typeof o !== 'object' || Array.isArray(o)) return false;
      const keysOk = Object.keys(o).every((k) => ['id', 'count', 'note'].includes(k));
      return (
        keysOk &&
        typeof o.id === 'string' &&
        /^[0-9a-f-]{36}$/.test(o.id) &&
        Number.isInteger(o.count) &&
        (o.count as number) >= 0 &&
        (o.note === undefined || o.note === null || typeof o.note === 'string')
      );
    };
    const corpus = generateFixtures([SCHEMA], demoValid);
    const valid = corpus.valid.map((f) => f.label);
    expect(valid).toEqual(
      expect.arrayContaining([
        'demo.thing/example-1',
        'demo.thing/optional-fields-absent',
        'demo.thing/nullable-fields-null',
        'demo.thing/boundary-count-lowest',
        'demo.thing/boundary-count-highest',
        'demo.thing/long-string-note',
        'demo.thing/unicode-string-note',
      ]),
    );
    const invalid = corpus.nearInvalid.map((f) => f.label);
    expect(invalid).toEqual(
      expect.arrayContaining([
        'demo.thing/below-minimum-count',
        'demo.thing/missing-required-id',
        'demo.thing/bad-uuid-id',
        'demo.thing/unknown-key',
        'demo.thing/fraction-for-integer-count',
        'demo.thing/payload-is-null',
      ]),
    );
    expect(corpus.valid.every((f) => demoValid(f.event.type, f.event.data))).toBe(true);
    expect(corpus.nearInvalid.every((f) => !demoValid(f.event.type, f.event.data))).toBe(true);
  });

  it('builds a concrete type for a template from the example stage name', () => {
    const template: FixtureSchema = {
      type: 'stage.{name}.skipped',
      template: true,
      schema: { type: 'object', examples: [{ stage: 'router' }] },
    };
    const corpus = generateFixtures([template], () => true);
    expect(corpus.valid[0]?.event.type).toBe('stage.router.skipped');
  });

  it('drops a candidate the real validator contradicts', () => {
    const corpus = generateFixtures([SCHEMA], isValid);
    // demo.thing is not in the contract, so the real validators accept nothing and every "valid" candidate is dropped
    expect(corpus.valid).toEqual([]);
    expect(corpus.nearInvalid.length).toBeGreaterThan(0);
  });

  it('drops a near-invalid candidate the validator accepts, so every near-invalid label is confirmed', () => {
    // an open object: the validator accepts the unknown-key candidate, which must then not be labelled invalid
    const open = (_type: string, d: unknown): boolean =>
      d !== null && typeof d === 'object' && !Array.isArray(d) && typeof (d as { id?: unknown }).id === 'string';
    const labels = generateFixtures([SCHEMA], open).nearInvalid.map((f) => f.label);
    expect(labels).not.toContain('demo.thing/unknown-key');
    expect(labels).not.toContain('demo.thing/below-minimum-count');
    expect(labels).toContain('demo.thing/missing-required-id');
  });

  it('confirms every fixture of the shipped schemas against the real validators', () => {
    const corpus = generateFixtures(loadFixtureSchemas(`${repoRoot}schemas`), isValid);
    expect(corpus.valid.length).toBeGreaterThan(100);
    expect(corpus.nearInvalid.length).toBeGreaterThan(100);
    for (const f of corpus.valid) expect(isValid(f.event.type, f.event.data), f.label).toBe(true);
    for (const f of corpus.nearInvalid) expect(isValid(f.event.type, f.event.data), f.label).toBe(false);
    // the open stage lifecycle payloads accept unknown keys: that candidate is dropped for them
    expect(corpus.nearInvalid.some((f) => f.label === 'stage.{name}.started/unknown-key')).toBe(false);
    expect(corpus.nearInvalid.some((f) => f.label.endsWith('/unknown-key'))).toBe(true);
  });
});
