import type { EventEnvelope } from '../runtime/index.js';

/** One event schema as the generator needs it: its type (or template), its fully dereferenced schema and its examples. */
export interface FixtureSchema {
  /** The exact type, or the template (`stage.{name}.completed`) of a pattern type. */
  readonly type: string;
  /** True when `type` is a template; fixtures then use a concrete type built from the example's `stage` value. */
  readonly template: boolean;
  /** The schema with every `$ref` inlined. */
  readonly schema: Readonly<Record<string, unknown>>;
}

/** One generated payload: an envelope plus a stable label that says what it exercises. */
export interface Fixture {
  readonly label: string;
  readonly expect: 'valid' | 'invalid';
  readonly event: EventEnvelope<string, unknown>;
}

/** The golden corpus: payloads a conforming sink must accept, and near-invalid ones a strict sink should refuse. */
export interface FixtureCorpus {
  readonly valid: readonly Fixture[];
  readonly nearInvalid: readonly Fixture[];
}

type Json = Record<string, unknown>;

const LONG_STRING_CHARS = 10_000;
const UNICODE = 'unicode ✓ ünïcödé 日本語 العربية 🚀👩‍💻 \u2028 "quoted" \\ backslash';

function clone<T>(value: T): T {
  return structuredClone(value);
}

function types(schema: Json): string[] {
  const t = schema.type;
  const out = Array.isArray(t) ? (t as string[]) : typeof t === 'string' ? [t] : [];
  if (Array.isArray(schema.enum)) for (const v of schema.enum as unknown[]) out.push(v === null ? 'null' : typeof v);
  if ('const' in schema) out.push(schema.const === null ? 'null' : typeof schema.const);
  return out;
}

function isFreeString(s: Json): boolean {
  return (
    types(s).includes('string') &&
    s.format === undefined &&
    s.pattern === undefined &&
    s.enum === undefined &&
    s.const === undefined
  );
}

function wrongTypeValue(s: Json): unknown {
  const t = types(s);
  if (t.includes('string')) return t.includes('number') || t.includes('integer') ? true : 12345;
  if (t.includes('integer') || t.includes('number')) return '42';
  if (t.includes('boolean')) return 'true';
  if (t.includes('object')) return ['not', 'an', 'object'];
  if (t.includes('array')) return { not: 'an array' };
  return undefined;
}

function concreteType(s: FixtureSchema, example: unknown): string {
  if (!s.template) return s.type;
  const stage = example !== null && typeof example === 'object' ? (example as Json).stage : undefined;
  return s.type.replace(
    '{name}',
    typeof stage === 'string' && stage !== '' && !stage.includes('.') ? stage : 'fixture_stage',
  );
}

function candidatesFor(s: FixtureSchema): { valid: [string, unknown][]; invalid: [string, unknown][] } {
  const examples = Array.isArray(s.schema.examples) ? (s.schema.examples as unknown[]) : [];
  const base = examples[0];
  const valid: [string, unknown][] = examples.map((ex, i) => [`example-${i + 1}`, clone(ex)]);
  const invalid: [string, unknown][] = [];
  if (base === null || typeof base !== 'object' || Array.isArray(base)) return { valid, invalid };
  const props = (s.schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((s.schema.required ?? []) as string[]);
  const withValue = (key: string, value: unknown): Json => ({ ...clone(base as Json), [key]: value });

  const absent = clone(base as Json);
  for (const k of Object.keys(absent)) if (!required.has(k)) delete absent[k];
  valid.push(['optional-fields-absent', absent]);
  const allOptional = clone(base as Json);
  for (const [k, p] of Object.entries(props))
    if (!(k in allOptional) && types(p).includes('null')) allOptional[k] = null;
  valid.push(['optional-nullable-fields-present-as-null', allOptional]);
  const nulls = clone(base as Json);
  for (const [k, p] of Object.entries(props))
    if (types(p).includes('null') && (k in nulls || required.has(k))) nulls[k] = null;
  valid.push(['nullable-fields-null', nulls]);

  for (const [k, p] of Object.entries(props)) {
    const t = types(p);
    if (t.includes('integer') || t.includes('number')) {
      const min = typeof p.minimum === 'number' ? p.minimum : undefined;
      const max = typeof p.maximum === 'number' ? p.maximum : undefined;
      valid.push([
        `boundary-${k}-lowest`,
        withValue(k, min ?? (t.includes('integer') ? -Number.MAX_SAFE_INTEGER : -1e308)),
      ]);
      valid.push([
        `boundary-${k}-highest`,
        withValue(k, max ?? (t.includes('integer') ? Number.MAX_SAFE_INTEGER : 1e308)),
      ]);
      if (!t.includes('integer')) valid.push([`boundary-${k}-fraction`, withValue(k, (min ?? 0) + 0.000001)]);
      if (min !== undefined)
        invalid.push([`below-minimum-${k}`, withValue(k, t.includes('integer') ? min - 1 : min - 0.5)]);
      if (max !== undefined)
        invalid.push([`above-maximum-${k}`, withValue(k, t.includes('integer') ? max + 1 : max + 0.5)]);
      if (t.includes('integer') && !t.includes('number'))
        invalid.push([`fraction-for-integer-${k}`, withValue(k, (min ?? 0) + 0.5)]);
    }
    if (isFreeString(p)) {
      const maxLength = typeof p.maxLength === 'number' ? p.maxLength : LONG_STRING_CHARS;
      valid.push([`long-string-${k}`, withValue(k, 'x'.repeat(maxLength))]);
      valid.push([`unicode-string-${k}`, withValue(k, UNICODE)]);
      if (p.minLength === undefined) valid.push([`empty-string-${k}`, withValue(k, '')]);
    }
    const wrong = wrongTypeValue(p);
    if (wrong !== undefined) invalid.push([`wrong-type-${k}`, withValue(k, wrong)]);
    if (!t.includes('null')) invalid.push([`null-for-non-nullable-${k}`, withValue(k, null)]);
    if (p.format === 'uuid') {
      invalid.push([`bad-uuid-${k}`, withValue(k, 'not-a-uuid')]);
      invalid.push([`truncated-uuid-${k}`, withValue(k, 'cfbfe645-b49b-41e4-845e-76f3fc3ce15')]);
    }
    if (p.format === 'date-time') {
      invalid.push([`date-time-month-13-${k}`, withValue(k, '2026-13-25T17:49:11.762381+00:00')]);
      invalid.push([`date-time-without-offset-${k}`, withValue(k, '2026-11-25T17:49:11.762381')]);
      invalid.push([`date-only-${k}`, withValue(k, '2026-11-25')]);
    }
    if (Array.isArray(p.enum)) invalid.push([`not-in-enum-${k}`, withValue(k, 'not_an_allowed_value')]);
    if (typeof p.pattern === 'string') invalid.push([`pattern-mismatch-${k}`, withValue(k, 'has.dots.and spaces')]);
  }
  for (const k of required) {
    const missing = clone(base as Json);
    delete missing[k];
    invalid.push([`missing-required-${k}`, missing]);
  }
  if (s.schema.additionalProperties === false) {
    const first = Object.keys(props)[0];
    invalid.push(['unknown-key', withValue('unexpected_field', 'surplus')]);
    if (first !== undefined && first.length > 3) {
      const misspelt = clone(base as Json);
      const value = misspelt[first];
      delete misspelt[first];
      misspelt[`${first.slice(0, -2)}${first.slice(-1)}`] = value;
      invalid.push([`misspelt-key-${first}`, misspelt]);
    }
  }
  invalid.push(['payload-is-array', [clone(base)]]);
  invalid.push(['payload-is-null', null]);
  return { valid, invalid };
}

/**
 * Builds the golden corpus for every schema: its examples plus edge cases (optional fields absent, nullable fields
 * null, boundary numbers, long and unicode strings) kept only when `isValid` accepts them, and labelled near-invalid
 * payloads kept only when `isValid` refuses them, so every label is true of the real validators.
 */
export function generateFixtures(
  schemas: readonly FixtureSchema[],
  isValid: (type: string, data: unknown) => boolean,
): FixtureCorpus {
  const valid: Fixture[] = [];
  const nearInvalid: Fixture[] = [];
  const seen = new Set<string>();
  for (const s of [...schemas].sort((a, b) => a.type.localeCompare(b.type))) {
    const examples = Array.isArray(s.schema.examples) ? (s.schema.examples as unknown[]) : [];
    const type = concreteType(s, examples[0]);
    const { valid: good, invalid: bad } = candidatesFor(s);
    for (const [label, data] of good) {
      const key = `${type}\n${JSON.stringify(data)}`;
      if (seen.has(key) || !isValid(type, data)) continue;
      seen.add(key);
      valid.push({ label: `${s.type}/${label}`, expect: 'valid', event: { type, data } });
    }
    for (const [label, data] of bad) {
      if (isValid(type, data)) continue;
      nearInvalid.push({ label: `${s.type}/${label}`, expect: 'invalid', event: { type, data } });
    }
  }
  return { valid, nearInvalid };
}
