// normalise: a parsed schema folder -> per event type, one schema with every $ref inlined, annotations gone and
// the assertions gathered into a union of branches (one branch per alternative of anyOf/oneOf), which compare.ts
// reads. Equivalent rewrites meet here: a $ref and its inlined content, enum order, key order, `const` and a
// one-value `enum`, `exclusiveMinimum: -1` and `minimum: 0` on integers all normalise to the same thing.

import { escapePointer, ID_BASE, isDataKeyword, isVendorKeyword, pointerGet } from '../../codegen/schema-rules.js';

export { escapePointer, ID_BASE };

/** A schema folder as parsed JSON, keyed by the path below the folder with forward slashes (`tool/tool.invoked.v1.json`). */
export type SchemaSet = ReadonlyMap<string, unknown>;

/** The JSON types the analysis splits on (`integer` is a `number` branch with `integer: true`). */
export type Kind = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';
export const KINDS: readonly Kind[] = ['null', 'boolean', 'number', 'string', 'array', 'object'];

/** One alternative of a schema: the values of one of `types` that meet every constraint. */
export interface Branch {
  readonly types: ReadonlySet<Kind>;
  /** `number` values must be integers. */
  readonly integer: boolean;
  /** When set, only these values (still subject to the other constraints). */
  readonly enum: readonly unknown[] | undefined;
  readonly num: {
    readonly min: number | undefined;
    readonly minEx: boolean;
    readonly max: number | undefined;
    readonly maxEx: boolean;
    readonly multipleOf: number | undefined;
  };
  readonly str: {
    readonly minLength: number;
    readonly maxLength: number | undefined;
    readonly patterns: readonly string[];
    readonly formats: readonly string[];
  };
  readonly arr: {
    readonly prefix: readonly Norm[];
    readonly items: Norm;
    readonly minItems: number;
    readonly maxItems: number | undefined;
    readonly unique: boolean;
  };
  readonly obj: {
    readonly props: ReadonlyMap<string, Norm>;
    readonly required: ReadonlySet<string>;
    readonly patternProps: readonly (readonly [string, Norm])[];
    readonly additional: Norm;
    readonly propertyNames: Norm;
    readonly minProps: number;
    readonly maxProps: number | undefined;
  };
  /** Assertions the analysis does not decide (`not`, `if`, overlapping `oneOf`, ...): comparisons touching them are `null`. */
  readonly unsupported: readonly string[];
}

/** A normalised schema: accepts a value when one branch does. `any` is the `true` schema; no branch is `false`. */
export interface Norm {
  readonly any: boolean;
  readonly branches: readonly Branch[];
  /** A canonical text of the assertions: two schemas with the same `canon` accept the same set. */
  readonly canon: string;
  /** The shared definition this schema came from (`common/defs.v1.json#/$defs/Uuid`), when it was reached by `$ref`. */
  readonly from: string | undefined;
}

/** Keywords that never change what a schema accepts. */
const ANNOTATIONS = new Set([
  'description',
  'title',
  'examples',
  'default',
  '$comment',
  'deprecated',
  'readOnly',
  'writeOnly',
  '$schema',
  '$id',
  '$anchor',
  '$dynamicAnchor',
  '$defs',
  'definitions',
  '$vocabulary',
  'contentEncoding',
  'contentMediaType',
  'contentSchema',
]);

/** Keywords the analysis understands. */
const KNOWN = new Set([
  'type',
  'enum',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'uniqueItems',
  'properties',
  'required',
  'additionalProperties',
  'patternProperties',
  'propertyNames',
  'minProperties',
  'maxProperties',
  'anyOf',
  'oneOf',
  'allOf',
]);

/** A non-schema keyword: annotations and vendor `x-` keywords (codegen's metadata, `x-compatibility`). */
export function isAnnotation(keyword: string): boolean {
  return ANNOTATIONS.has(keyword) || isVendorKeyword(keyword);
}

/** A `$ref` the schemas of one side cannot resolve. */
export class RefError extends Error {
  constructor(
    readonly file: string,
    readonly ref: string,
    problem: string,
  ) {
    super(`${file}: $ref '${ref}': ${problem}`);
  }
}

const FROM = '$$from';
const RECURSIVE = '$$recursive';

/** The base URI of a schema file: its `$id`, else the one derived from its path. */
function baseOf(file: string, json: unknown): string {
  const id = json !== null && typeof json === 'object' ? (json as Record<string, unknown>).$id : undefined;
  return typeof id === 'string' ? id : ID_BASE + file;
}

const indexCache = new WeakMap<SchemaSet, Map<string, string>>();

/** Looks files up by base URI. */
function indexSet(set: SchemaSet): Map<string, string> {
  const cached = indexCache.get(set);
  if (cached !== undefined) return cached;
  const byUri = new Map<string, string>();
  indexCache.set(set, byUri);
  for (const [file, json] of set) {
    byUri.set(ID_BASE + file, file);
    byUri.set(baseOf(file, json).split('#')[0] as string, file);
  }
  return byUri;
}

/**
 * Returns `file`'s schema with every `$ref` replaced by its target and annotations dropped; a node reached through
 * a `$ref` into another file keeps where it came from under `$$from`. A `$ref` back into itself becomes a
 * `$$recursive` marker (the analysis reports it as undecided). Throws {@link RefError} for a `$ref` that resolves to nothing.
 */
export function inlineRefs(set: SchemaSet, file: string): unknown {
  const byUri = indexSet(set);
  const walk = (node: unknown, inFile: string, seen: readonly string[]): unknown => {
    if (Array.isArray(node)) return node.map((v) => walk(v, inFile, seen));
    if (node === null || typeof node !== 'object') return node;
    const obj = node as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    if (typeof obj.$ref === 'string') {
      const ref = obj.$ref;
      const url = new URL(ref, baseOf(inFile, set.get(inFile)));
      const fragment = decodeURIComponent(url.hash.replace(/^#/, ''));
      url.hash = '';
      const target = byUri.get(url.href);
      if (target === undefined) throw new RefError(inFile, ref, `no schema file ${url.href}`);
      const key = `${target}#${fragment}`;
      if (seen.includes(key)) {
        out[RECURSIVE] = key;
      } else {
        const targetNode = pointerGet(set.get(target), fragment);
        if (targetNode === undefined) throw new RefError(inFile, ref, `no '${fragment}' in ${target}`);
        const inlined = walk(targetNode, target, [...seen, key]);
        if (inlined !== null && typeof inlined === 'object' && !Array.isArray(inlined)) Object.assign(out, inlined);
        else if (typeof inlined === 'boolean') {
          if (!inlined) out.not = {};
        }
        if (target !== file) out[FROM] = key;
      }
    }
    for (const [k, v] of Object.entries(obj)) {
      if (k === '$ref' || isAnnotation(k)) continue;
      // enum/const values are data, never schemas
      out[k] = isDataKeyword(k) ? v : walk(v, inFile, seen);
    }
    return out;
  };
  return walk(set.get(file), file, []);
}

/** A stable text for any JSON value: object keys sorted. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** The JSON type of a value, as the analysis splits it. */
export function kindOf(value: unknown): Kind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    default:
      return 'object';
  }
}

export const TRUE: Norm = { any: true, branches: [], canon: 'true', from: undefined };
export const FALSE: Norm = { any: false, branches: [], canon: 'false', from: undefined };

function universal(): Branch {
  return {
    types: new Set(KINDS),
    integer: false,
    enum: undefined,
    num: { min: undefined, minEx: false, max: undefined, maxEx: false, multipleOf: undefined },
    str: { minLength: 0, maxLength: undefined, patterns: [], formats: [] },
    arr: { prefix: [], items: TRUE, minItems: 0, maxItems: undefined, unique: false },
    obj: {
      props: new Map(),
      required: new Set(),
      patternProps: [],
      additional: TRUE,
      propertyNames: TRUE,
      minProps: 0,
      maxProps: undefined,
    },
    unsupported: [],
  };
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** Tightens a lower bound: the larger wins; at equal values exclusive wins. */
function tighterMin(
  a: number | undefined,
  aEx: boolean,
  b: number | undefined,
  bEx: boolean,
): [number | undefined, boolean] {
  if (a === undefined) return [b, bEx];
  if (b === undefined) return [a, aEx];
  if (a !== b) return a > b ? [a, aEx] : [b, bEx];
  return [a, aEx || bEx];
}
function tighterMax(
  a: number | undefined,
  aEx: boolean,
  b: number | undefined,
  bEx: boolean,
): [number | undefined, boolean] {
  if (a === undefined) return [b, bEx];
  if (b === undefined) return [a, aEx];
  if (a !== b) return a < b ? [a, aEx] : [b, bEx];
  return [a, aEx || bEx];
}
const minOf = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

/** The schema that applies to property `key` in an object branch. */
export function schemaForKey(obj: Branch['obj'], key: string): Norm {
  const own = obj.props.get(key);
  const patterned = obj.patternProps.filter(([p]) => new RegExp(p, 'u').test(key)).map(([, s]) => s);
  if (own !== undefined) return patterned.reduce(intersect, own);
  if (patterned.length > 0) return patterned.reduce(intersect);
  return obj.additional;
}

/** The branch accepting what both accept. */
function intersectBranch(a: Branch, b: Branch): Branch {
  const types = new Set([...a.types].filter((t) => b.types.has(t)));
  const unsupported = [...a.unsupported, ...b.unsupported];
  const enumValues =
    a.enum === undefined
      ? b.enum
      : b.enum === undefined
        ? a.enum
        : a.enum.filter((v) => (b.enum as unknown[]).some((w) => canonicalJson(w) === canonicalJson(v)));
  const [min, minEx] = tighterMin(a.num.min, a.num.minEx, b.num.min, b.num.minEx);
  const [max, maxEx] = tighterMax(a.num.max, a.num.maxEx, b.num.max, b.num.maxEx);
  let multipleOf = a.num.multipleOf ?? b.num.multipleOf;
  if (a.num.multipleOf !== undefined && b.num.multipleOf !== undefined && a.num.multipleOf !== b.num.multipleOf) {
    const [x, y] = [a.num.multipleOf, b.num.multipleOf].sort((p, q) => q - p) as [number, number];
    if (Number.isInteger(x / y)) multipleOf = x;
    else unsupported.push('multipleOf');
  }
  // properties: a key named by either side gets both sides' schema for it
  const keys = new Set([...a.obj.props.keys(), ...b.obj.props.keys()]);
  if ((a.obj.patternProps.length > 0 || b.obj.patternProps.length > 0) && keys.size > 0)
    unsupported.push('patternProperties');
  const props = new Map<string, Norm>();
  for (const k of keys) props.set(k, intersect(schemaForKey(a.obj, k), schemaForKey(b.obj, k)));
  const prefixLength = Math.max(a.arr.prefix.length, b.arr.prefix.length);
  const prefix: Norm[] = [];
  for (let i = 0; i < prefixLength; i++)
    prefix.push(intersect(a.arr.prefix[i] ?? a.arr.items, b.arr.prefix[i] ?? b.arr.items));
  return {
    types,
    integer: a.integer || b.integer,
    enum: enumValues,
    num: { min, minEx, max, maxEx, multipleOf },
    str: {
      minLength: Math.max(a.str.minLength, b.str.minLength),
      maxLength: minOf(a.str.maxLength, b.str.maxLength),
      patterns: [...new Set([...a.str.patterns, ...b.str.patterns])].sort(),
      formats: [...new Set([...a.str.formats, ...b.str.formats])].sort(),
    },
    arr: {
      prefix,
      items: intersect(a.arr.items, b.arr.items),
      minItems: Math.max(a.arr.minItems, b.arr.minItems),
      maxItems: minOf(a.arr.maxItems, b.arr.maxItems),
      unique: a.arr.unique || b.arr.unique,
    },
    obj: {
      props,
      required: new Set([...a.obj.required, ...b.obj.required]),
      patternProps: [...a.obj.patternProps, ...b.obj.patternProps],
      additional: intersect(a.obj.additional, b.obj.additional),
      propertyNames: intersect(a.obj.propertyNames, b.obj.propertyNames),
      minProps: Math.max(a.obj.minProps, b.obj.minProps),
      maxProps: minOf(a.obj.maxProps, b.obj.maxProps),
    },
    unsupported,
  };
}

/** The schema accepting what both accept. */
export function intersect(a: Norm, b: Norm): Norm {
  if (a.any) return b;
  if (b.any) return a;
  if (a.canon === b.canon) return a;
  const branches: Branch[] = [];
  for (const x of a.branches) for (const y of b.branches) branches.push(intersectBranch(x, y));
  return { any: false, branches, canon: `allOf(${a.canon},${b.canon})`, from: a.from ?? b.from };
}

/** Reads one branch's own keywords (not anyOf/oneOf/allOf). */
function ownBranch(s: Record<string, unknown>): Branch {
  const base = universal();
  const unsupported: string[] = [];
  for (const k of Object.keys(s)) if (!KNOWN.has(k) && k !== FROM && !isAnnotation(k)) unsupported.push(k);
  let types = new Set<Kind>(KINDS);
  let integer = false;
  if (s.type !== undefined) {
    const list = (Array.isArray(s.type) ? s.type : [s.type]) as string[];
    types = new Set();
    for (const t of list) {
      if (t === 'integer') types.add('number');
      else if ((KINDS as readonly string[]).includes(t)) types.add(t as Kind);
    }
    integer = list.includes('integer') && !list.includes('number');
  }
  let enumValues: unknown[] | undefined;
  if (Array.isArray(s.enum)) enumValues = [...s.enum];
  if ('const' in s)
    enumValues = enumValues
      ? enumValues.filter((v) => canonicalJson(v) === canonicalJson(s.const))
      : [s.const as unknown];
  if (enumValues) {
    const seen = new Set<string>();
    enumValues = enumValues
      .filter((v) => {
        const c = canonicalJson(v);
        if (seen.has(c)) return false;
        seen.add(c);
        return true;
      })
      .sort((x, y) => (canonicalJson(x) < canonicalJson(y) ? -1 : 1));
  }
  const [min, minEx] = tighterMin(num(s.minimum), false, num(s.exclusiveMinimum), true);
  const [max, maxEx] = tighterMax(num(s.maximum), false, num(s.exclusiveMaximum), true);
  const str = base.str;
  const arr = base.arr;
  const obj = base.obj;
  const props = new Map<string, Norm>();
  if (s.properties !== null && typeof s.properties === 'object')
    for (const [k, v] of Object.entries(s.properties)) props.set(k, normaliseSchema(v));
  const patternProps: (readonly [string, Norm])[] = [];
  if (s.patternProperties !== null && typeof s.patternProperties === 'object')
    for (const [p, v] of Object.entries(s.patternProperties)) patternProps.push([p, normaliseSchema(v)]);
  const b: Branch = {
    types,
    integer,
    enum: enumValues,
    num: { min, minEx, max, maxEx, multipleOf: num(s.multipleOf) },
    str: {
      minLength: num(s.minLength) ?? str.minLength,
      maxLength: num(s.maxLength),
      patterns: typeof s.pattern === 'string' ? [s.pattern] : [],
      formats: typeof s.format === 'string' ? [s.format] : [],
    },
    arr: {
      prefix: Array.isArray(s.prefixItems) ? s.prefixItems.map(normaliseSchema) : [],
      items: s.items === undefined ? arr.items : normaliseSchema(s.items),
      minItems: num(s.minItems) ?? 0,
      maxItems: num(s.maxItems),
      unique: s.uniqueItems === true,
    },
    obj: {
      props,
      required: new Set(Array.isArray(s.required) ? (s.required as string[]) : []),
      patternProps,
      additional: s.additionalProperties === undefined ? obj.additional : normaliseSchema(s.additionalProperties),
      propertyNames: s.propertyNames === undefined ? obj.propertyNames : normaliseSchema(s.propertyNames),
      minProps: num(s.minProperties) ?? 0,
      maxProps: num(s.maxProperties),
    },
    unsupported,
  };
  return tidy(b);
}

/** Integer bounds become inclusive integers (`exclusiveMinimum: -1` and `minimum: 0` meet), known formats bound lengths. */
function tidy(b: Branch): Branch {
  let { min, minEx, max, maxEx } = b.num;
  if (b.integer || (b.num.multipleOf !== undefined && Number.isInteger(b.num.multipleOf))) {
    const integer = true;
    if (min !== undefined) {
      min = minEx ? Math.floor(min) + 1 : Math.ceil(min);
      minEx = false;
    }
    if (max !== undefined) {
      max = maxEx ? Math.ceil(max) - 1 : Math.floor(max);
      maxEx = false;
    }
    const multipleOf = b.num.multipleOf === 1 ? undefined : b.num.multipleOf;
    return { ...b, integer, num: { min, minEx, max, maxEx, multipleOf } };
  }
  return b;
}

const canonCache = new WeakMap<object, string>();

function canonOf(s: unknown): string {
  if (s !== null && typeof s === 'object' && !Array.isArray(s)) {
    const cached = canonCache.get(s);
    if (cached !== undefined) return cached;
    const text = canonOfObject(s as Record<string, unknown>);
    canonCache.set(s, text);
    return text;
  }
  return canonicalJson(s);
}

function canonOfObject(s: Record<string, unknown>): string {
  {
    const o = { ...s };
    delete o[FROM];
    if (Array.isArray(o.enum)) o.enum = [...new Set(o.enum.map(canonicalJson))].sort();
    if (Array.isArray(o.required)) o.required = [...new Set(o.required as string[])].sort();
    if (Array.isArray(o.type)) o.type = [...new Set(o.type as string[])].sort();
    for (const k of ['properties', 'patternProperties', '$defs'])
      if (o[k] !== null && typeof o[k] === 'object')
        o[k] = Object.fromEntries(Object.entries(o[k] as Record<string, unknown>).map(([n, v]) => [n, canonOf(v)]));
    for (const k of ['items', 'additionalProperties', 'propertyNames', 'not'])
      if (o[k] !== undefined) o[k] = canonOf(o[k]);
    for (const k of ['anyOf', 'oneOf', 'allOf', 'prefixItems'])
      if (Array.isArray(o[k])) o[k] = (o[k] as unknown[]).map(canonOf);
    return canonicalJson(o);
  }
}

function disjointBranches(a: Branch, b: Branch): boolean {
  if (![...a.types].some((t) => b.types.has(t))) return true;
  if (a.enum && b.enum) return !a.enum.some((v) => b.enum?.some((w) => canonicalJson(v) === canonicalJson(w)));
  // objects told apart by a required property whose `const`s differ
  for (const k of a.obj.required) {
    if (!b.obj.required.has(k)) continue;
    const x = a.obj.props.get(k);
    const y = b.obj.props.get(k);
    const ex = x?.branches.length === 1 ? x.branches[0]?.enum : undefined;
    const ey = y?.branches.length === 1 ? y.branches[0]?.enum : undefined;
    if (ex && ey && !ex.some((v) => ey.some((w) => canonicalJson(v) === canonicalJson(w)))) return true;
  }
  return false;
}

/** Normalises a schema whose `$ref`s are already inlined ({@link inlineRefs}). */
export function normaliseSchema(schema: unknown): Norm {
  if (schema === true) return TRUE;
  if (schema === false) return FALSE;
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return FALSE;
  const s = schema as Record<string, unknown>;
  const from = typeof s[FROM] === 'string' ? (s[FROM] as string) : undefined;
  const canon = canonOf(s);
  const keywords = Object.keys(s).filter((k) => k !== FROM);
  if (keywords.length === 0) return { ...TRUE, from };
  let current: Norm = { any: false, branches: [ownBranch(s)], canon, from };
  if (typeof s[RECURSIVE] === 'string') {
    const b = current.branches[0] as Branch;
    current = { ...current, branches: [{ ...b, unsupported: [...b.unsupported, 'recursive $ref'] }] };
  }
  if (Array.isArray(s.allOf)) for (const sub of s.allOf) current = intersect(current, normaliseSchema(sub));
  if (Array.isArray(s.anyOf)) current = intersect(current, union(s.anyOf.map(normaliseSchema)));
  if (Array.isArray(s.oneOf)) {
    const alternatives = s.oneOf.map(normaliseSchema);
    let u = union(alternatives);
    const flat = alternatives.flatMap((n) => (n.any ? [universal()] : n.branches));
    const overlapping = flat.some((x, i) => flat.some((y, j) => j > i && !disjointBranches(x, y)));
    if (overlapping)
      u = {
        ...u,
        branches: u.branches.map((b) => ({ ...b, unsupported: [...b.unsupported, 'oneOf with overlapping branches'] })),
      };
    current = intersect(current, u);
  }
  return { ...current, canon, from };
}

function union(alternatives: readonly Norm[]): Norm {
  if (alternatives.some((n) => n.any)) return TRUE;
  return {
    any: false,
    branches: alternatives.flatMap((n) => n.branches),
    canon: `anyOf(${alternatives.map((n) => n.canon).join(',')})`,
    from: undefined,
  };
}
