import { describe, expect, it } from 'vitest';
import { findEventDescriptor } from '../../generated/index.js';
import { repoEvents } from '../helpers/schemas.js';

type Json = Record<string, unknown>;

interface Case {
  readonly what: string;
  readonly payload: Json;
  readonly instancePath: string;
  readonly keyword: string;
}

function allowedTypes(p: Json): string[] {
  if (Array.isArray(p.type)) return p.type as string[];
  if (typeof p.type === 'string') return [p.type];
  return [];
}

// a value whose JSON type the property does not allow, or undefined when every type is allowed
function wrongTypeValue(p: Json): unknown {
  const allowed = allowedTypes(p);
  if (allowed.length === 0) return undefined;
  const candidates: [string, unknown][] = [
    ['object', { unexpected: true }],
    ['array', ['unexpected']],
    ['boolean', true],
    ['string', 'unexpected'],
  ];
  for (const [t, v] of candidates) {
    const ok = allowed.includes(t) || (t === 'integer' && allowed.includes('number'));
    if (!ok) return v;
  }
  return undefined;
}

function casesFor(schema: Json, base: Json): Case[] {
  const props = (schema.properties ?? {}) as Record<string, Json>;
  const required = (schema.required ?? []) as string[];
  const out: Case[] = [];
  if (schema.additionalProperties === false)
    out.push({
      what: 'an unknown key',
      payload: { ...base, unexpected_key: 1 },
      instancePath: '',
      keyword: 'additionalProperties',
    });
  for (const key of required) {
    const { [key]: _removed, ...rest } = base;
    out.push({ what: `missing required '${key}'`, payload: rest, instancePath: '', keyword: 'required' });
  }
  for (const [key, p] of Object.entries(props)) {
    const wrong = wrongTypeValue(p);
    if (wrong !== undefined)
      out.push({
        what: `'${key}' of a wrong JSON type`,
        payload: { ...base, [key]: wrong },
        instancePath: `/${key}`,
        keyword: 'type',
      });
    if (p.format === 'uuid')
      out.push({
        what: `'${key}' not a UUID`,
        payload: { ...base, [key]: 'not-a-uuid' },
        instancePath: `/${key}`,
        keyword: 'format',
      });
    if (p.format === 'date-time') {
      out.push({
        what: `'${key}' an impossible date (Feb 30)`,
        payload: { ...base, [key]: '2026-02-30T10:00:00+00:00' },
        instancePath: `/${key}`,
        keyword: 'format',
      });
      out.push({
        what: `'${key}' without an offset`,
        payload: { ...base, [key]: '2026-11-25T10:00:00.123456' },
        instancePath: `/${key}`,
        keyword: 'format',
      });
    }
    if (Array.isArray(p.enum))
      out.push({
        what: `'${key}' outside its enum`,
        payload: { ...base, [key]: 'not_in_the_enum' },
        instancePath: `/${key}`,
        keyword: 'enum',
      });
    if ('const' in p && typeof p.const === 'string')
      out.push({
        what: `'${key}' not its constant`,
        payload: { ...base, [key]: `${p.const}_not` },
        instancePath: `/${key}`,
        keyword: 'const',
      });
    if (allowedTypes(p).includes('integer') && !allowedTypes(p).includes('number'))
      out.push({
        what: `'${key}' a fraction where an integer belongs`,
        payload: { ...base, [key]: 1.5 },
        instancePath: `/${key}`,
        keyword: 'type',
      });
  }
  return out;
}

const events = repoEvents();

describe('every event schema rejects what a correct producer cannot emit', () => {
  it('covers every event type with at least one invalid case of each applicable kind', () => {
    for (const e of events) {
      const base = (e.source.json.examples as Json[])[0]!;
      expect(casesFor(e.dereferenced, base).length, e.type).toBeGreaterThan(0);
    }
  });

  for (const e of events) {
    const base = (e.source.json.examples as Json[])[0]!;
    const descriptor = findEventDescriptor(e.pattern ? e.type.replace(/\{[a-z_]+\}/, 'sample') : e.type)!;
    describe(e.type, () => {
      it('accepts its own first example', () => {
        expect(descriptor.validate(base)).toBe(true);
      });
      it.each(casesFor(e.dereferenced, base).map((c) => [c.what, c] as const))('rejects %s', (_what, c) => {
        expect(descriptor.validate(c.payload)).toBe(false);
        const issues = descriptor.validate.errors ?? [];
        expect(
          issues.some((i) => i.instancePath === c.instancePath && i.keyword === c.keyword),
          JSON.stringify(issues),
        ).toBe(true);
      });
    });
  }
});

describe('presence: "always, nullable" differs from "optional"', () => {
  it('stage.<name>.started omits pipeline_run_id when absent but never accepts it as null', () => {
    const d = findEventDescriptor('stage.llm.started')!;
    const base = (events.find((e) => e.type === 'stage.{name}.started')!.source.json.examples as Json[])[1]!;
    expect('pipeline_run_id' in base).toBe(false);
    expect(d.validate(base)).toBe(true);
    expect(d.validate({ ...base, pipeline_run_id: null })).toBe(false);
  });

  it('tool.invoked requires pipeline_run_id to be present, null allowed', () => {
    const d = findEventDescriptor('tool.invoked')!;
    const base = (events.find((e) => e.type === 'tool.invoked')!.source.json.examples as Json[])[0]!;
    expect(d.validate({ ...base, pipeline_run_id: null })).toBe(true);
    const { pipeline_run_id: _gone, ...rest } = base;
    expect(d.validate(rest)).toBe(false);
  });

  it('stage lifecycle payloads stay open for caller keys but keep their base keys typed', () => {
    const d = findEventDescriptor('stage.router.completed')!;
    const base = (events.find((e) => e.type === 'stage.{name}.completed')!.source.json.examples as Json[])[0]!;
    expect(d.validate({ ...base, route: 'faq', anything: { nested: [1] } })).toBe(true);
    expect(d.validate({ ...base, duration_ms: 'slow' })).toBe(false);
  });
});
