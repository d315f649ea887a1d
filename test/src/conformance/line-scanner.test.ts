// validate's byte scanner may only ever say "valid" where the full check (JSON.parse, the generated validator) finds
// nothing: checked on the golden fixtures, the reference corpus, hand-picked traps and random mutations of all of them
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { checkRange } from '../../../src/cli/check-range.js';
import { loadFixtureSchemas } from '../../../src/cli/package-schemas.js';
import {
  checkPayloadText,
  generateFixtures,
  type PayloadTextOptions,
  resolveEventType,
} from '../../../src/conformance/index.js';
import { compileScan, lineScannerFor } from '../../../src/conformance/line-scanner.js';
import { repoRoot } from '../../helpers/schemas.js';

const corpus = generateFixtures(
  loadFixtureSchemas(`${repoRoot}schemas`),
  (type, data) => resolveEventType(type)?.validate(data) === true,
);
const reference = readFileSync(`${repoRoot}test/fixtures/snapshots/reference-sample.ndjson`, 'utf8')
  .split('\n')
  .filter((l) => l !== '');
const validLines = corpus.valid.map((f) => JSON.stringify(f.event));
const invalidLines = corpus.nearInvalid.map((f) => JSON.stringify(f.event));
const ascii = (text: string): boolean => /^[\u0020-\u007e]*$/.test(text);

function scanner(options: PayloadTextOptions = {}) {
  const scan = lineScannerFor(options);
  if (scan === undefined) throw new Error('no scanner for these options');
  // the reader offers a line's bytes with its line feed after them
  return (text: string): boolean => {
    const bytes = Buffer.from(`${text}\n`);
    return scan(bytes, 0, bytes.length - 1);
  };
}

function fullValid(text: string, options: PayloadTextOptions = {}): boolean {
  const r = checkPayloadText(text, options);
  return r.counted && r.findings.length === 0;
}

const scan = scanner();

describe('the byte scanner', () => {
  it('proves the golden valid fixtures and the valid reference lines written in ASCII', () => {
    const lines = [...validLines, ...reference.filter((l) => fullValid(l))].filter(ascii);
    expect(lines.length).toBeGreaterThan(300);
    const unproven = lines.filter((l) => !scan(l));
    // what it gives up on goes the full way: correct, but a shipped schema it cannot read would lose the speed
    expect(unproven.length, unproven.slice(0, 5).join('\n')).toBeLessThanOrEqual(lines.length * 0.02);
  });

  it('never proves a near-invalid fixture or an invalid reference line', () => {
    const bad = [...invalidLines, ...reference.filter((l) => !fullValid(l))];
    expect(bad.length).toBeGreaterThan(100);
    expect(bad.filter((l) => scan(l))).toEqual([]);
  });

  const stage = reference.find((l) => l.startsWith('{"type": "stage.wide"')) as string;
  const data = (JSON.parse(stage) as { data: Record<string, unknown> }).data;
  const violations = reference.find((l) => l.startsWith('{"type": "guardrail.violations_detected"')) as string;
  const retry = reference.find((l) => l.includes('"timeout_seconds": null')) as string;
  const wide = reference.find((l) => l.includes('"stage_counts": {"completed"')) as string;
  const line = (d: unknown, extra = ''): string => `{"type": "stage.wide", ${extra}"data": ${JSON.stringify(d)}}`;

  it.each([
    [
      'a duplicated key whose last value is wrong',
      stage.replace('"duration_ms": 1,', '"duration_ms": 1, "duration_ms": -1,'),
    ],
    ['a duplicated type', stage.replace('{"type": "stage.wide",', '{"type": "stage.wide", "type": "nope",')],
    ['an upper-case uuid', line({ ...data, user_id: String(data.user_id).toUpperCase() })],
    ['a uuid one character short', line({ ...data, user_id: String(data.user_id).slice(1) })],
    ['February 30', line({ ...data, started_at: '2026-02-30T10:00:00+00:00' })],
    ['a dot in a stage name', line({ ...data, stage: 'a.b' })],
    ['an empty stage name', line({ ...data, stage: '' })],
    ['a status outside the enum', line({ ...data, status: 'complete' })],
    ['a negative duration', line({ ...data, duration_ms: -1 })],
    ['a fractional duration', line({ ...data, duration_ms: 1.5 })],
    ['a number too large to be finite', stage.replace('"duration_ms": 1,', '"duration_ms": 1e400,')],
    ['a missing required key', line({ ...data, error: undefined })],
    ['an extra key', line({ ...data, colour: 'red' })],
    ['an empty extra object', line({ ...data, extra: {} })],
    ['a data key that is not a string', line({ ...data, data_keys: ['a', 1] })],
    ['trailing bytes', `${stage} x`],
    ['a second value', `${stage} {}`],
    ['an unknown type', stage.replace('"stage.wide"', '"stage.wider"')],
    ['no data', '{"type": "stage.wide"}'],
    ['a schema version no schema has', line(data, '"schema_version": 7, ')],
    ['a control character in a string', stage.replace('chat_fast', 'chat\u0001fast')],
    ['an unknown escape', stage.replace('chat_fast', 'chat\\qfast')],
    ['a second type after the data', stage.replace(/}}$/, '}, "type": "agent.completed"}')],
    [
      'an array shorter than minItems',
      violations.replace(/"violations": \[.*\], "check"/, '"violations": [], "check"'),
    ],
    ['a tuple shorter than its prefix', violations.replace('"location": [28, 48]', '"location": [28]')],
    ['a tuple longer than its prefix', violations.replace('"location": [28, 48]', '"location": [28, 48, 50]')],
    ['a number that overflows to Infinity', retry.replace('"timeout_seconds": null', '"timeout_seconds": 1e400')],
    ['a key its property names refuse', wide.replace('"stage_counts": {"completed"', '"stage_counts": {"running"')],
    ['a unit separator (U+001F) in a string', stage.replace('chat_fast', 'chat\u001ffast')],
  ])('says "not sure" to %s (which the full check rejects)', (_label, text) => {
    expect(fullValid(text)).toBe(false);
    expect(scan(text)).toBe(false);
  });

  it.each([
    ['no spaces', JSON.stringify({ type: 'stage.wide', data })],
    ['tabs and spaces around every token', stage.replace(/": /g, '"\t:\t ').replace(/, "/g, ' ,\t"')],
    ['keys in another order', line(Object.fromEntries(Object.entries(data).reverse()))],
    [
      'an integer written 1.0 or 1e0',
      stage.replace('"duration_ms": 1,', '"duration_ms": 1.0,').replace('"chat_fast"', '"x"'),
    ],
    ['an exponent', stage.replace('"duration_ms": 1,', '"duration_ms": 2E+1,')],
    ['a 17-digit integer', stage.replace('"duration_ms": 1,', '"duration_ms": 12345678901234567,')],
    [
      'envelope keys of a recorder',
      line(data, '"seq": 3, "recorded_at": "2026-01-01T00:00:00Z", "schema_version": 1, '),
    ],
    ['extra caller fields', line({ ...data, extra: { nested: [1, { a: null }], k: 'v\\n"' } })],
    [
      'an escaped quote in free text',
      line({ ...data, error: 'said "no"\n\tthen \u00e9' }).replace(
        /[^\u0000-\u007e]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      ),
    ],
  ])('proves a valid line with %s', (_label, text) => {
    expect(fullValid(text)).toBe(true);
    expect(scan(text)).toBe(true);
  });

  it('leaves lines it does not model to the full check', () => {
    const giveUps = [
      // data before type would need a second pass
      `{"data": ${JSON.stringify(data)}, "type": "stage.wide"}`,
      // a checked string with an escape, an escaped key, bytes outside ASCII (the full path checks their UTF-8)
      line(data).replace('"status":"completed"', '"status":"complet\\u0065d"'),
      line({ ...data, extra: { 'k"': 1 } }),
      line({ ...data, error: 'café' }),
    ];
    for (const text of giveUps) {
      expect(fullValid(text), text).toBe(true);
      expect(scan(text), text).toBe(false);
    }
  });

  it('checks a bare payload against the schema --schema names', () => {
    const bare = scanner({ bare: { descriptor: resolveEventType('stage.wide')!, type: 'stage.wide' } });
    expect(bare(JSON.stringify(data))).toBe(true);
    expect(bare(JSON.stringify({ ...data, stage: 'a.b' }))).toBe(false);
    expect(bare(stage)).toBe(false);
  });

  it('answers "not sure" for any keyword it does not model', () => {
    const bytes = Buffer.from('"abc"\n');
    expect(compileScan({ type: 'string' })(bytes, 0)).toBe(5);
    expect(compileScan({ type: 'string', minLength: 1 })(bytes, 0)).toBe(-1);
    expect(compileScan({ type: 'string', $ref: '#/x' })(bytes, 0)).toBe(-1);
    // a declared key Object.prototype also has would be found there by a validator when the payload lacks it
    expect(compileScan({ type: 'object', properties: { toString: { type: 'string' } } })(Buffer.from('{}\n'), 0)).toBe(
      -1,
    );
  });

  it('is used only where the schema version of each line decides, not one forced for every line', () => {
    expect(lineScannerFor({ schemaVersion: 2 })).toBeUndefined();
    expect(lineScannerFor({ schemaVersion: 'latest' })).toBeDefined();
  });
});

// mutations that reach the scanner's edges: quotes, escapes, digits, signs, exponents, hex, whitespace, brackets,
// control characters and bytes outside ASCII, plus deleted and duplicated spans (duplicate keys, cut values)
const ALPHABET = [
  ...'".-+019eEafAnu \t\r,:{}[]\u0001\u001f\u007f\u00e9',
  ...['null', 'true', '1e999', '-1', '0.5', '""', '[]', '{}', '"x"', '\\u0041', '\\"', '"type": "tool.invoked", '],
];
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), text: fc.constantFrom(...ALPHABET) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...ALPHABET) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant('copy' as const),
    at: fc.nat(),
    from: fc.nat(),
    length: fc.integer({ min: 1, max: 80 }),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, m: Mutation): string {
  const at = m.at % (text.length + 1);
  switch (m.kind) {
    case 'set':
      return text.slice(0, at) + m.text + text.slice(at + 1);
    case 'insert':
      return text.slice(0, at) + m.text + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + m.length);
    case 'copy': {
      const from = m.from % (text.length + 1);
      return text.slice(0, at) + text.slice(from, from + m.length) + text.slice(at);
    }
  }
}

describe('the byte scanner against the full check', () => {
  const seeds = [...validLines, ...reference.filter((l) => fullValid(l))].filter(ascii);

  it('never says valid where the full check finds anything, under random edits of valid lines', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 3 }), (seed, edits) => {
        const text = edits.reduce(mutate, seed);
        if (scan(text)) expect(fullValid(text), text).toBe(true);
      }),
      { numRuns: 4000 },
    );
  });

  it('never says valid where the full check finds anything, on bare payloads of their own schema', () => {
    const bareSeeds = corpus.valid.filter((f) => ascii(JSON.stringify(f.event)));
    fc.assert(
      fc.property(fc.constantFrom(...bareSeeds), fc.array(mutation, { minLength: 0, maxLength: 2 }), (f, edits) => {
        const options: PayloadTextOptions = {
          bare: { descriptor: resolveEventType(f.event.type)!, type: f.event.type },
        };
        const text = edits.reduce(mutate, JSON.stringify(f.event.data));
        if (scanner(options)(text)) expect(fullValid(text, options), text).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('validate with and without the scanner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sfe-line-scanner-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports the same counts and findings with the scanner as with every line parsed, by offset and as a stream', async () => {
    const mutated = fc.sample(
      fc.tuple(fc.constantFrom(...validLines, ...reference), fc.array(mutation, { minLength: 1, maxLength: 2 })),
      { numRuns: 400, seed: 7 },
    );
    const lines = [
      ...reference,
      ...validLines,
      ...invalidLines,
      ...mutated.map(([s, e]) => e.reduce(mutate, s).replace(/[\r\n]/g, ' ')),
    ];
    const path = join(dir, 'mixed.ndjson');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const options = { maxLineBytes: 1 << 20 };
    const parsed = await checkRange(path, 0, undefined, { ...options, scanBytes: false }, 100000);
    expect(parsed.total).toBe(lines.length);
    expect(parsed.invalid).toBeGreaterThan(100);
    const without = (p: Awaited<ReturnType<typeof checkRange>>) => ({ ...p, summary: undefined });
    expect(without(await checkRange(path, 0, undefined, options, 100000))).toEqual(without(parsed));
    // -1: the whole file as a stream (the path of gzip files and stdin)
    expect(without(await checkRange(path, -1, undefined, options, 100000))).toEqual(without(parsed));
    expect(without(await checkRange(path, -1, undefined, { ...options, scanBytes: false }, 100000))).toEqual(
      without(parsed),
    );
  });
});
