// property: mutate a real schema at random; whenever the diff says a direction is compatible, no payload (the
// examples, and random edits of them) may be accepted by one side and rejected by the other in that direction
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createValidators, diffSchemaSets } from '../../src/evolution/index.js';
import { DATE_TIME_SAMPLE, UUID_SAMPLE } from '../../src/evolution/compare.js';
import { repoSchemas, type Schemas } from './labelled-changes.js';

const base = repoSchemas();
const oldValid = createValidators(base);
const FILES = [
  'tool/tool.invoked.v1.json',
  'stream/stream.chunk_dropped.v1.json',
  'context/context.truncation.v1.json',
  'approval/approval.decided.v1.json',
  'provider/provider.call.completed.v1.json',
  'stage/stage.{name}.started.v1.json',
  'guardrail/guardrail.violations_detected.v1.json',
];

type Json = any;

const MUTATIONS: readonly ((prop: Json, schema: Json, key: string) => void)[] = [
  (_p, s, k) => {
    s.required = s.required.includes(k) ? s.required.filter((r: string) => r !== k) : [...s.required, k];
  },
  (_p, s, k) => {
    delete s.properties[k];
    s.required = s.required.filter((r: string) => r !== k);
  },
  (_p, s, k) => {
    s.properties[k] = { type: 'string', description: 'replaced' };
  },
  (_p, s, k) => {
    s.properties[k] = { type: ['string', 'null'], description: 'replaced' };
  },
  (_p, s, k) => {
    s.properties[k] = { type: 'integer', minimum: 0, description: 'replaced' };
  },
  (_p, s, k) => {
    s.properties[k] = { type: 'number', maximum: 1, description: 'replaced' };
  },
  (_p, s, k) => {
    s.properties[k] = { type: 'string', format: 'uuid', description: 'replaced' };
  },
  (_p, s, k) => {
    s.properties[k] = { enum: ['a', 'b', null], description: 'replaced' };
  },
  (p) => {
    if (Array.isArray(p.enum)) p.enum = p.enum.slice(1);
    else p.maxLength = 3;
  },
  (p) => {
    if (Array.isArray(p.enum)) p.enum = [...p.enum, 'added_value'];
    else p.minLength = 1;
  },
  (p) => {
    if (p.type === 'object') p.additionalProperties = p.additionalProperties === false;
    else p.description = 'reworded';
  },
  (_p, s) => {
    s.additionalProperties = !s.additionalProperties;
  },
  (_p, s) => {
    s.properties.fresh_key = { type: 'string', description: 'added' };
  },
];

const anyValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -3, max: 5 }),
  fc.constantFrom(0.5, -1.5, 2.25),
  fc.string({ maxLength: 6 }),
  fc.constantFrom(UUID_SAMPLE, DATE_TIME_SAMPLE, 'a', 'b', 'added_value', 'approved', 'overflow', ''),
  fc.constant({}),
  fc.constant([]),
);

describe('diff verdicts against generated payloads', () => {
  it('a direction said compatible is never contradicted by a payload', { timeout: 300_000 }, () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FILES),
        fc.nat(),
        fc.nat({ max: MUTATIONS.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.oneof(anyValue, fc.constant('__delete__'))), { maxLength: 4 }),
        (file, keyPick, mutation, edits) => {
          const next: Schemas = repoSchemas();
          const schema = next.get(file);
          const keys = Object.keys(schema.properties);
          const key = keys[keyPick % keys.length] as string;
          MUTATIONS[mutation]?.(schema.properties[key] ?? {}, schema, key);
          const report = diffSchemaSets(base, next, { mode: 'full' });
          const type = schema['x-event-type'] ?? schema['x-event-type-template'];
          const t = report.types.find((x) => x.eventType === type);
          const backward = t === undefined ? true : t.backward;
          const forward = t === undefined ? true : t.forward;
          const newValid = createValidators(next);
          const payloads: unknown[] = [...base.get(file).examples, ...schema.examples];
          for (const example of [...payloads]) {
            const p = structuredClone(example) as Record<string, unknown>;
            const names = [...new Set([...keys, 'fresh_key', 'other_key'])];
            for (const [n, v] of edits) {
              const k = names[n % names.length] as string;
              if (v === '__delete__') delete p[k];
              else p[k] = v;
            }
            payloads.push(p);
          }
          for (const p of payloads) {
            const o = oldValid(file, p);
            const n = newValid(file, p);
            if (backward === true && o) expect(n, `backward said compatible: ${JSON.stringify(p)}`).toBe(true);
            if (forward === true && n) expect(o, `forward said compatible: ${JSON.stringify(p)}`).toBe(true);
          }
        },
      ),
      { numRuns: 150, seed: 11 },
    );
  });
});
