// A validating scanner: proves a line valid while it reads its bytes, without decoding or parsing it.
//
// `validate` spends most of its time on lines that are valid: decoding each, parsing it into objects and then walking
// them took about 1.7x what a bare split + JSON.parse takes (one thread at 0.6x of that floor); with the scanner one
// thread reads at about the floor's speed. It reads the line's bytes once against the event's schema (its plan: the
// dereferenced schema with the annotations dropped, generated/scan-plans.ts) and answers only "valid" or "not sure". "Not sure" sends the line down the full path (decode, JSON.parse, the generated
// validator, findings), so a report is the same with or without the scanner; it must only never say "valid" where the
// full path finds anything. It gives up on whatever it does not model: a byte outside ASCII (the full path checks
// UTF-8), an escape in a key or in a string it checks, a number over 1000 characters, `type` or `data` given twice or
// `data` before `type`, a `schema_version` other than the latest, nesting deeper than 64, any keyword it does not know.
//
// The line's bytes are followed by its line break: every step stops at byte 10 (not JSON whitespace here, and a
// control character inside a string), so no step reads past the line.
import { findEventDescriptor } from '../../generated/index.js';
import { SCAN_PLANS } from '../../generated/scan-plans.js';
import { isDateTime, isUuid, patterns } from '../runtime/formats.js';
import type { EventDescriptor } from '../runtime/index.js';
import type { PayloadTextOptions } from './payload-text-checker.js';

/** Reads one value that starts at `i` (no leading whitespace): the index just past it, or -1 for "not sure". */
type Scan = (s: Buffer, i: number) => number;

/** A schema as the scanner reads it: the JSON Schema keywords of one (dereferenced) node. */
export type ScanPlan = boolean | { readonly [keyword: string]: unknown };

const FAIL: Scan = () => -1;
const MAX_DEPTH = 64;

// JSON whitespace but the line feed, which ends the line
function ws(s: Buffer, i: number): number {
  for (;;) {
    const c = s[i];
    if (c !== 32 && c !== 9 && c !== 13) return i;
    i++;
  }
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 57;
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70));
}

// a string's closing quote, or -1: a control character (the line break too), a byte outside ASCII, a bad escape, the
// end of the buffer; `plain` refuses escapes
function stringEnd(s: Buffer, i: number, plain: boolean): number {
  for (;;) {
    const c = s[i];
    if (c === 34) return i;
    if (c === undefined || c < 32 || c > 127) return -1;
    if (c === 92) {
      if (plain) return -1;
      const e = s[i + 1];
      if (e === 117) {
        if (!isHex(s[i + 2]) || !isHex(s[i + 3]) || !isHex(s[i + 4]) || !isHex(s[i + 5])) return -1;
        i += 6;
        continue;
      }
      if (e !== 34 && e !== 92 && e !== 47 && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116) return -1;
      i += 2;
      continue;
    }
    i++;
  }
}

// a JSON number's end, or -1; sets numberKind: 0 digits only, 1 with a fraction, 2 with an exponent
let numberKind = 0;
function numberEnd(s: Buffer, i: number): number {
  if (s[i] === 45) i++;
  const first = s[i];
  if (first === 48) i++;
  else if (isDigit(first)) {
    i++;
    while (isDigit(s[i])) i++;
  } else return -1;
  numberKind = 0;
  if (s[i] === 46) {
    i++;
    if (!isDigit(s[i])) return -1;
    while (isDigit(s[i])) i++;
    numberKind = 1;
  }
  const e = s[i];
  if (e === 101 || e === 69) {
    i++;
    const sign = s[i];
    if (sign === 43 || sign === 45) i++;
    if (!isDigit(s[i])) return -1;
    while (isDigit(s[i])) i++;
    numberKind = 2;
  }
  return i;
}

// `w` (ASCII, no control characters) at `i` in `s`
function at(s: Buffer, i: number, w: string): boolean {
  const n = w.length;
  for (let k = 0; k < n; k++) if (s[i + k] !== w.charCodeAt(k)) return false;
  return true;
}

function literalEnd(s: Buffer, i: number, word: string): number {
  return at(s, i, word) ? i + word.length : -1;
}

const HEX = new Uint8Array(256);
for (const c of '0123456789abcdef') HEX[c.charCodeAt(0)] = 1;

/** The byte form of the `uuid` format (`isUuid` in the runtime's formats): lowercase 8-4-4-4-12 hex at `a`. */
function uuidAt(s: Buffer, a: number): boolean {
  let ok = 1;
  for (let k = 0; k < 36; k++) {
    const c = s[a + k] ?? 0;
    ok &= k === 8 || k === 13 || k === 18 || k === 23 ? (c === 45 ? 1 : 0) : (HEX[c] as number);
  }
  return ok === 1;
}

// the text of ASCII bytes (the scanner has checked them)
function latin1(s: Buffer, a: number, b: number): string {
  return (s as unknown as { latin1Slice(start: number, end: number): string }).latin1Slice(a, b);
}

/** Any JSON value, checked for syntax only (what a schema without assertions accepts). */
function skipValue(s: Buffer, i: number, depth: number): number {
  const c = s[i];
  if (c === 34) {
    const e = stringEnd(s, i + 1, false);
    return e < 0 ? -1 : e + 1;
  }
  if (c === 123) {
    if (depth >= MAX_DEPTH) return -1;
    i = ws(s, i + 1);
    if (s[i] === 125) return i + 1;
    for (;;) {
      if (s[i] !== 34) return -1;
      const k = stringEnd(s, i + 1, false);
      if (k < 0) return -1;
      i = ws(s, k + 1);
      if (s[i] !== 58) return -1;
      i = skipValue(s, ws(s, i + 1), depth + 1);
      if (i < 0) return -1;
      i = ws(s, i);
      const d = s[i];
      if (d === 125) return i + 1;
      if (d !== 44) return -1;
      i = ws(s, i + 1);
    }
  }
  if (c === 91) {
    if (depth >= MAX_DEPTH) return -1;
    i = ws(s, i + 1);
    if (s[i] === 93) return i + 1;
    for (;;) {
      i = skipValue(s, i, depth + 1);
      if (i < 0) return -1;
      i = ws(s, i);
      const d = s[i];
      if (d === 93) return i + 1;
      if (d !== 44) return -1;
      i = ws(s, i + 1);
    }
  }
  if (c === 116) return literalEnd(s, i, 'true');
  if (c === 102) return literalEnd(s, i, 'false');
  if (c === 110) return literalEnd(s, i, 'null');
  return numberEnd(s, i);
}

const SKIP: Scan = (s, i) => skipValue(s, i, 0);

// the keywords the scanner models; a node with any other assertion keyword always answers "not sure"
const MODELLED = new Set([
  'type',
  'enum',
  'const',
  'format',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'minProperties',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
]);
type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'object' | 'array';

/** Compiles one plan node into a scanner; anything it does not model becomes "not sure". */
export function compileScan(plan: ScanPlan): Scan {
  if (plan === true) return SKIP;
  if (plan === false || plan === null || typeof plan !== 'object' || Array.isArray(plan)) return FAIL;
  // codegen drops the annotations from the plans: any keyword left that the scanner does not model may assert
  for (const k of Object.keys(plan)) if (!MODELLED.has(k)) return FAIL;
  const typed = plan.type;
  let types: Set<JsonType>;
  if (typed === undefined) {
    types = new Set(['string', 'number', 'integer', 'boolean', 'null', 'object', 'array']);
  } else if (typeof typed === 'string') types = new Set([typed as JsonType]);
  else if (Array.isArray(typed)) types = new Set(typed as JsonType[]);
  else return FAIL;
  if (types.has('number')) types.add('integer');
  if ('enum' in plan && 'const' in plan) return FAIL;
  const choices = plan.enum ?? ('const' in plan ? [plan.const] : undefined);
  if (choices !== undefined) {
    if (!Array.isArray(choices)) return FAIL;
    // string, boolean and null choices are compared in place; a number or object choice would need the parsed value
    if (choices.some((c) => c !== null && typeof c !== 'string' && typeof c !== 'boolean')) return FAIL;
    const strings = choices.filter((c): c is string => typeof c === 'string');
    const allowNull = choices.includes(null) && types.has('null');
    const allowTrue = choices.includes(true) && types.has('boolean');
    const allowFalse = choices.includes(false) && types.has('boolean');
    const str = types.has('string') && strings.length > 0 ? stringScan(plan, strings, false) : FAIL;
    return (s, i) => {
      const c = s[i];
      if (c === 34) return str(s, i);
      if (c === 110) return allowNull ? literalEnd(s, i, 'null') : -1;
      if (c === 116) return allowTrue ? literalEnd(s, i, 'true') : -1;
      if (c === 102) return allowFalse ? literalEnd(s, i, 'false') : -1;
      return -1;
    };
  }
  const onlyString = types.has('string') && (types.size === 1 || (types.size === 2 && types.has('null')));
  if (onlyString) return stringScan(plan, undefined, types.has('null'));
  const str = types.has('string') ? stringScan(plan, undefined, false) : FAIL;
  const num = types.has('integer') ? numberScan(plan, !types.has('number')) : FAIL;
  const obj = types.has('object') ? objectScan(plan) : FAIL;
  const arr = types.has('array') ? arrayScan(plan) : FAIL;
  const bool = types.has('boolean');
  const nul = types.has('null');
  return (s, i) => {
    const c = s[i];
    if (c === 34) return str(s, i);
    if (c === 123) return obj(s, i);
    if (c === 91) return arr(s, i);
    if (c === 110) return nul ? literalEnd(s, i, 'null') : -1;
    if (c === 116) return bool ? literalEnd(s, i, 'true') : -1;
    if (c === 102) return bool ? literalEnd(s, i, 'false') : -1;
    return num(s, i);
  };
}

// a string value from its opening quote: the checks that read every character (uuid, date-time, a choice, the
// stage-name pattern) also prove that no escape or control character hides in it, so they find the end directly
function stringScan(
  plan: { readonly [k: string]: unknown },
  choices: readonly string[] | undefined,
  nullable: boolean,
): Scan {
  const format = plan.format;
  const pattern = plan.pattern;
  if (format !== undefined && format !== 'uuid' && format !== 'date-time') return FAIL;
  if (pattern !== undefined && typeof pattern !== 'string') return FAIL;
  // the validators' own test of the pattern: the runtime's char-code stand-in where it has one, else the regex
  const patternTest = pattern === undefined ? undefined : (patterns[pattern] ?? new RegExp(pattern, 'u'));
  let scan: Scan;
  if (choices !== undefined) {
    // compared byte for byte: a choice outside printable ASCII, or with a quote or a backslash, is written otherwise
    if (choices.some((c) => !/^[\u0020-\u007e]*$/.test(c) || c.includes('"') || c.includes('\\'))) return FAIL;
    const ok = choices.filter(
      (c) =>
        (format !== 'uuid' || isUuid(c)) &&
        (format !== 'date-time' || isDateTime(c)) &&
        (patternTest === undefined || patternTest.test(c)),
    );
    scan = (s, i) => {
      const a = i + 1;
      for (const c of ok) if (s[a + c.length] === 34 && at(s, a, c)) return a + c.length + 1;
      return -1;
    };
  } else if (format === 'uuid' && pattern === undefined)
    scan = (s, i) => (s[i + 37] === 34 && uuidAt(s, i + 1) ? i + 38 : -1);
  else if (format === undefined && pattern === '^[^.]+$')
    scan = (s, i) => {
      let k = i + 1;
      for (;;) {
        const c = s[k];
        if (c === 34) return k === i + 1 ? -1 : k + 1;
        // a dot fails the pattern; an escape, a control character or a byte outside ASCII goes the full path
        if (c === undefined || c === 46 || c === 92 || c < 32 || c > 127) return -1;
        k++;
      }
    };
  else if (format === undefined && pattern === undefined)
    scan = (s, i) => {
      const e = stringEnd(s, i + 1, false);
      return e < 0 ? -1 : e + 1;
    };
  // a date-time, or a pattern: the (ASCII, escape-free) text is copied and tested as the validators test it
  else
    scan = (s, i) => {
      const e = stringEnd(s, i + 1, true);
      if (e < 0 || e - i > 256) return -1;
      const text = latin1(s, i + 1, e);
      if (format === 'uuid' && !isUuid(text)) return -1;
      if (format === 'date-time' && !isDateTime(text)) return -1;
      if (patternTest !== undefined && !patternTest.test(text)) return -1;
      return e + 1;
    };
  if (!nullable) return (s, i) => (s[i] === 34 ? scan(s, i) : -1);
  return (s, i) => {
    const c = s[i];
    if (c === 34) return scan(s, i);
    return c === 110 ? literalEnd(s, i, 'null') : -1;
  };
}

function limit(plan: { readonly [k: string]: unknown }, k: string): number | undefined {
  const v = plan[k];
  return typeof v === 'number' ? v : undefined;
}

function numberScan(plan: { readonly [k: string]: unknown }, integerOnly: boolean): Scan {
  const min = limit(plan, 'minimum');
  const max = limit(plan, 'maximum');
  const xmin = limit(plan, 'exclusiveMinimum');
  const xmax = limit(plan, 'exclusiveMaximum');
  for (const k of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'])
    if (k in plan && limit(plan, k) === undefined) return FAIL;
  const bounded = min !== undefined || max !== undefined || xmin !== undefined || xmax !== undefined;
  return (s, i) => {
    const e = numberEnd(s, i);
    if (e < 0) return -1;
    // digits only, up to 15 characters: an exact integer, read here; anything else is read as JSON.parse reads it
    // (Number() rounds the same way) and must be finite, and an integer where only integers are allowed (1.0 is)
    let v: number;
    if (numberKind === 0 && e - i <= 15) {
      if (!bounded) return e;
      let k = i;
      const neg = s[k] === 45;
      if (neg) k++;
      v = 0;
      for (; k < e; k++) v = v * 10 + ((s[k] as number) - 48);
      if (neg) v = -v;
    } else {
      if (e - i > 1000) return -1;
      v = Number(latin1(s, i, e));
      if (!Number.isFinite(v) || (integerOnly && v % 1 !== 0)) return -1;
    }
    if (min !== undefined && !(v >= min)) return -1;
    if (max !== undefined && !(v <= max)) return -1;
    if (xmin !== undefined && !(v > xmin)) return -1;
    if (xmax !== undefined && !(v < xmax)) return -1;
    return e;
  };
}

interface Property {
  readonly name: string;
  /** The key as written: `"name"`. */
  readonly quoted: string;
  readonly bit: number;
  readonly scan: Scan;
}

function objectScan(plan: { readonly [k: string]: unknown }): Scan {
  const declared = (plan.properties ?? {}) as Record<string, ScanPlan>;
  if (typeof declared !== 'object' || declared === null) return FAIL;
  const names = Object.keys(declared);
  // a validator reads a declared key as data[key]: one that Object.prototype has (constructor, toString) is found
  // there when the payload lacks it, so the scan could not agree with it
  if (names.some((name) => name in Object.prototype)) return FAIL;
  // keys are compared byte for byte as written: a name outside printable ASCII or with a quote or backslash is not
  if (names.some((name) => !/^[\u0020-\u007e]*$/.test(name) || name.includes('"') || name.includes('\\'))) return FAIL;
  // one bit per declared key, for the required ones
  if (names.length > 30) return FAIL;
  const props: Property[] = names.map((name, n) => ({
    name,
    quoted: `"${name}"`,
    bit: 1 << n,
    scan: compileScan(declared[name] as ScanPlan),
  }));
  const required = (plan.required ?? []) as unknown;
  if (!Array.isArray(required)) return FAIL;
  let requiredMask = 0;
  for (const r of required) {
    const p = props.find((q) => q.name === r);
    // a required key the properties do not declare: could be met by an additional one, which the scan does not track
    if (p === undefined) return FAIL;
    requiredMask |= p.bit;
  }
  const extra = plan.additionalProperties;
  const extraScan: Scan | undefined =
    extra === false ? undefined : extra === undefined ? SKIP : compileScan(extra as ScanPlan);
  const minProperties = limit(plan, 'minProperties') ?? 0;
  // minProperties above 1 would need distinct extra keys counted; 0 or 1 needs only "some key"
  if ('minProperties' in plan && (minProperties > 1 || limit(plan, 'minProperties') === undefined)) return FAIL;
  let keyScan: Scan | undefined;
  if (plan.propertyNames !== undefined) {
    const names = plan.propertyNames as ScanPlan;
    // checked for extra keys only: declared keys must satisfy it too, so refuse a plan where one does not
    keyScan = compileScan(names);
    for (const n of names === true ? [] : Object.keys(declared)) {
      const text = Buffer.from(`${JSON.stringify(n)}\n`);
      if (keyScan(text, 0) !== text.length - 1) return FAIL;
    }
  }
  const count = props.length;
  return (s, i) => {
    i = ws(s, i + 1);
    let seen = 0;
    let keys = 0;
    let guess = 0;
    if (s[i] !== 125) {
      for (;;) {
        let p: Property | undefined;
        // keys mostly come in the order the producer wrote them: try the one after the last match first
        const g = guess < count ? props[guess] : undefined;
        if (g !== undefined && at(s, i, g.quoted)) {
          p = g;
          guess++;
        } else
          for (let k = 0; k < count; k++) {
            const q = props[k] as Property;
            if (at(s, i, q.quoted)) {
              p = q;
              guess = k + 1;
              break;
            }
          }
        // the key's closing quote and the scan of its value
        let b: number;
        let value: Scan;
        if (p !== undefined) {
          b = i + p.quoted.length - 1;
          // a key given twice: JSON.parse keeps the last value, and the scan checks every one
          seen |= p.bit;
          value = p.scan;
        } else {
          // an extra key where none may be, one the property names refuse, or __proto__ (left to the full path)
          if (extraScan === undefined || s[i] !== 34) return -1;
          b = stringEnd(s, i + 1, true);
          if (b < 0 || (b - i - 1 === 9 && at(s, i + 1, '__proto__'))) return -1;
          if (keyScan !== undefined && keyScan(s, i) !== b + 1) return -1;
          value = extraScan;
        }
        i = ws(s, b + 1);
        if (s[i] !== 58) return -1;
        i = value(s, ws(s, i + 1));
        if (i < 0) return -1;
        keys++;
        i = ws(s, i);
        const d = s[i];
        if (d === 125) break;
        if (d !== 44) return -1;
        i = ws(s, i + 1);
      }
    }
    if ((seen & requiredMask) !== requiredMask || keys < minProperties) return -1;
    return i + 1;
  };
}

function arrayScan(plan: { readonly [k: string]: unknown }): Scan {
  const prefix = (plan.prefixItems ?? []) as unknown;
  if (!Array.isArray(prefix)) return FAIL;
  const heads = prefix.map((p) => compileScan(p as ScanPlan));
  const items = plan.items;
  const rest: Scan = items === undefined ? SKIP : compileScan(items as ScanPlan);
  const minItems = limit(plan, 'minItems') ?? 0;
  const maxItems = limit(plan, 'maxItems') ?? Number.POSITIVE_INFINITY;
  for (const k of ['minItems', 'maxItems']) if (k in plan && limit(plan, k) === undefined) return FAIL;
  return (s, i) => {
    i = ws(s, i + 1);
    let n = 0;
    if (s[i] !== 93) {
      for (;;) {
        const scan = n < heads.length ? (heads[n] as Scan) : rest;
        i = scan(s, i);
        if (i < 0) return -1;
        n++;
        i = ws(s, i);
        const d = s[i];
        if (d === 93) break;
        if (d !== 44) return -1;
        i = ws(s, i + 1);
      }
    }
    if (n < minItems || n > maxItems) return -1;
    return i + 1;
  };
}

/** Looks up the compiled scanner of a descriptor (undefined: the plans have none for its schema). */
export type ScannerLookup = (descriptor: EventDescriptor) => Scan | undefined;

/** Compiles each descriptor's plan on first use, keyed by schema id. */
export function scannerLookup(plans: Readonly<Record<string, ScanPlan>>): ScannerLookup {
  const compiled = new Map<string, Scan | undefined>();
  return (descriptor) => {
    let scan = compiled.get(descriptor.schemaId);
    if (scan === undefined && !compiled.has(descriptor.schemaId)) {
      const plan = Object.hasOwn(plans, descriptor.schemaId) ? plans[descriptor.schemaId] : undefined;
      scan = plan === undefined ? undefined : compileScan(plan);
      compiled.set(descriptor.schemaId, scan);
    }
    return scan;
  };
}

/** Options that decide whether the scanner may answer for a line. */
export interface LineScannerOptions {
  readonly find: (type: string) => EventDescriptor | undefined;
  readonly scanners: ScannerLookup;
  /** Each envelope's `schema_version` picks its schema (`'record'`, the default) or is ignored (`'latest'`). */
  readonly schemaVersion?: 'record' | 'latest' | undefined;
}

/**
 * Checks the bytes `[start, end)` of a line; `s[end]` must be its line feed (the scanner stops there). True only when
 * the full check finds the line valid with no finding; false means "not sure".
 */
export type LineScanner = (s: Buffer, start: number, end: number) => boolean;

interface TypeEntry {
  readonly text: string;
  readonly descriptor: EventDescriptor;
  readonly scan: Scan;
}

/** A scanner for lines that are `{type, data}` envelopes (the default of `validate`). */
export function envelopeScanner(options: LineScannerOptions): LineScanner {
  const { find, scanners } = options;
  const recordMode = options.schemaVersion !== 'latest';
  // the type strings seen, by a hash of their bytes; each entry is compared in place
  const byHash = new Map<number, TypeEntry[]>();
  let cached = 0;
  const resolve = (s: Buffer, a: number, b: number, hash: number): TypeEntry | undefined => {
    const list = byHash.get(hash);
    if (list !== undefined) for (const e of list) if (e.text.length === b - a && at(s, a, e.text)) return e;
    const text = latin1(s, a, b);
    const descriptor = find(text);
    if (descriptor === undefined) return undefined;
    const scan = scanners(descriptor);
    if (scan === undefined) return undefined;
    if (cached >= 4096) {
      byHash.clear();
      cached = 0;
    }
    const entry = { text, descriptor, scan };
    if (list === undefined) byHash.set(hash, [entry]);
    else list.push(entry);
    cached++;
    return entry;
  };
  return (s, start, end) => {
    let i = ws(s, start);
    if (s[i] !== 123) return false;
    i = ws(s, i + 1);
    let entry: TypeEntry | undefined;
    let sawData = false;
    let sawVersion = false;
    // -1: no schema_version, or one that is not a number (the latest schema then); else its value
    let version = -1;
    if (s[i] === 125) return false;
    for (;;) {
      // 0 type, 1 data, 2 schema_version, 3 any other key
      let key = 3;
      let b: number;
      if (at(s, i, '"type"')) {
        key = 0;
        b = i + 5;
      } else if (at(s, i, '"data"')) {
        key = 1;
        b = i + 5;
      } else if (at(s, i, '"schema_version"')) {
        key = 2;
        b = i + 15;
      } else {
        if (s[i] !== 34) return false;
        b = stringEnd(s, i + 1, true);
        if (b < 0 || (b - i - 1 === 9 && at(s, i + 1, '__proto__'))) return false;
      }
      i = ws(s, b + 1);
      if (s[i] !== 58) return false;
      i = ws(s, i + 1);
      if (key === 0) {
        if (entry !== undefined || s[i] !== 34) return false;
        const ta = i + 1;
        let hash = 0;
        let k = ta;
        for (;;) {
          const c = s[k];
          if (c === 34) break;
          // an escape, a control character, a byte outside ASCII or the end: not sure
          if (c === undefined || c === 92 || c < 32 || c > 127) return false;
          hash = (Math.imul(hash, 31) + c) | 0;
          k++;
        }
        entry = resolve(s, ta, k, hash);
        if (entry === undefined) return false;
        i = k + 1;
      } else if (key === 1) {
        // data before type would need a second pass: not sure
        if (entry === undefined || sawData) return false;
        sawData = true;
        i = entry.scan(s, i);
      } else if (key === 2) {
        if (sawVersion) return false;
        sawVersion = true;
        const c = s[i];
        if (c === 45 || isDigit(c)) {
          const e = numberEnd(s, i);
          // a version the full path would pick another schema for (or none): not sure
          if (e < 0 || numberKind !== 0 || e - i > 6 || c === 45) return false;
          version = 0;
          for (let k = i; k < e; k++) version = version * 10 + ((s[k] as number) - 48);
          i = e;
        } else i = skipValue(s, i, 0);
      } else i = skipValue(s, i, 0);
      if (i < 0) return false;
      i = ws(s, i);
      const d = s[i];
      if (d === 125) break;
      if (d !== 44) return false;
      i = ws(s, i + 1);
    }
    if (ws(s, i + 1) !== end || entry === undefined || !sawData) return false;
    return !recordMode || version === -1 || version === entry.descriptor.version;
  };
}

/** A scanner for lines that are bare payloads of one event (`validate --schema`). */
export function bareScanner(scan: Scan): LineScanner {
  return (s, start, end) => {
    const i = scan(s, ws(s, start));
    return i >= 0 && ws(s, i) === end;
  };
}

let generatedScanners: ScannerLookup | undefined;

/**
 * The byte scanner for lines checked with these options (the generated plans, the generated descriptors), or
 * undefined when the options need every line parsed (`--schema-version <n>`).
 */
export function lineScannerFor(options: PayloadTextOptions): LineScanner | undefined {
  const mode = options.schemaVersion;
  if (mode !== undefined && mode !== 'record' && mode !== 'latest') return undefined;
  generatedScanners ??= scannerLookup(SCAN_PLANS as Readonly<Record<string, ScanPlan>>);
  if (options.bare !== undefined) {
    const scan = generatedScanners(options.bare.descriptor);
    return scan === undefined ? undefined : bareScanner(scan);
  }
  return envelopeScanner({ find: findEventDescriptor, scanners: generatedScanners, schemaVersion: mode });
}
