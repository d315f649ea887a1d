// compare: is every value schema A accepts also accepted by schema B? Walks both normalised schemas side by side and
// returns each place where A reaches outside B (a break, with a builder for a payload that shows it) and each place
// the analysis cannot decide (a reason). Witness values are picked from candidates on the analysis's own reading
// (accepts.ts); verify.ts re-checks the finished payload with the real validators before anything is printed.
import { formats } from '../runtime/formats.js';
import { accepts } from './accepts.js';
import {
  type Branch,
  canonicalJson,
  escapePointer,
  FALSE,
  type Kind,
  KINDS,
  kindOf,
  type Norm,
  schemaForKey,
} from './normalise.js';

/** Which way a comparison runs: backward checks old ⊆ new, forward new ⊆ old. */
export type Direction = 'backward' | 'forward';

/** A place where A accepts values B rejects. */
export interface Break {
  /** Instance path segments, unescaped. */
  readonly path: readonly string[];
  readonly keyword: string;
  readonly message: string;
  readonly hint: string;
  /** The shared definition the change sits in, when it came through a `$ref`. */
  readonly from: string | undefined;
  /** Builds the value at this level from one A accepts (or from nothing) so that A accepts it and B rejects it. */
  readonly build: (base: unknown) => unknown;
}

/** A place the analysis cannot decide. */
export interface Undecided {
  readonly path: readonly string[];
  readonly keyword: string;
  readonly reason: string;
}

/** The outcome of one containment check. */
export interface Containment {
  readonly breaks: Break[];
  readonly undecided: Undecided[];
}

/** Names the two sides in messages. */
interface Sides {
  readonly direction: Direction;
  /** The side whose values must stay accepted ("the old schema" for backward). */
  readonly a: string;
  readonly b: string;
  /** The shared definition both sides reached the current node through, if any. */
  readonly from?: string | undefined;
}

const OK: Containment = { breaks: [], undecided: [] };

const isFalse = (n: Norm): boolean => !n.any && n.branches.length === 0;

export const UUID_SAMPLE = '3f0e3c52-5a4b-4c43-9d3e-2b6c1f1a7e10';
export const DATE_TIME_SAMPLE = '2026-01-01T00:00:00Z';
const FORMAT_SAMPLES: Readonly<Record<string, readonly string[]>> = {
  uuid: [UUID_SAMPLE, '00000000-0000-0000-0000-000000000000'],
  'date-time': [DATE_TIME_SAMPLE, '2026-11-25T17:49:11.428199+00:00'],
};
/** Length bounds every value of a known format has. */
const FORMAT_LENGTH: Readonly<Record<string, readonly [number, number | undefined]>> = {
  uuid: [36, 36],
  'date-time': [20, undefined],
};

// ---- hints ----------------------------------------------------------------------------------------------------

const V2 = 'or publish the change as a new major version (v2) beside v1';

/** What to do about a break, by keyword and direction. */
export function hintFor(keyword: string, direction: Direction, detail?: 'removed-key' | 'closed'): string {
  if (direction === 'forward') {
    if (keyword === 'required')
      return `keep the field required, or move every sink to the new contract before producers omit it, ${V2}`;
    if (keyword === 'enum' || keyword === 'const')
      return `sinks on the old contract reject the new value: update them before producers emit it, ${V2}`;
    if (keyword === 'x-event-type')
      return 'sinks on the old contract do not know this event type: give them the new contract before producers emit it';
    return `sinks still validating with the old contract reject these payloads: update them first, ${V2}`;
  }
  switch (keyword) {
    case 'required':
      return `make it optional (leave it out of 'required'), ${V2}`;
    case 'additionalProperties':
      return detail === 'closed'
        ? `keep the payload open (additionalProperties: true), ${V2}`
        : `keep the property (say it is deprecated in its description) instead of removing it, ${V2}`;
    case 'enum':
    case 'const':
      return `add the value to the enum instead of replacing it, ${V2}`;
    case 'type':
      return `keep accepting the old type (list both in 'type'), ${V2}`;
    case 'format':
    case 'pattern':
      return `drop the new ${keyword} or make it accept every value the old schema accepted, ${V2}`;
    case 'x-event-type':
      return `keep the schema (say it is deprecated in its description): recorded payloads of this type no longer validate, ${V2}`;
    default:
      return `keep the old bound (bounds may only widen in place), ${V2}`;
  }
}

// ---- samples --------------------------------------------------------------------------------------------------

function firstAccepted(b: Branch, values: readonly unknown[]): unknown {
  for (const v of values) if (accepts({ any: false, branches: [b], canon: '', from: undefined }, v) === true) return v;
  return values[0];
}

function numberCandidates(bs: readonly Branch[]): number[] {
  const out = [0, 1, -1, 0.5, 1.5, -0.5, 2, 10, 100, 1e6, -1e6, 1e12];
  for (const b of bs) {
    const { min, max, multipleOf } = b.num;
    for (const x of [min, max]) if (x !== undefined) out.push(x, x + 1, x - 1, x + 0.5, x - 0.5, x + 0.25, x - 0.25);
    if (min !== undefined && max !== undefined) out.push((min + max) / 2);
    if (multipleOf !== undefined) {
      const base = min === undefined ? 0 : Math.ceil(min / multipleOf) * multipleOf;
      out.push(base, base + multipleOf, multipleOf, multipleOf * 2);
    }
  }
  return out;
}

function stringCandidates(bs: readonly Branch[]): string[] {
  const out = ['sample', 'a', '', 'A', '0', 'a.b', 'x y', 'not-a-uuid', '-', 'é', 'sample_value', 'abc123'];
  for (const b of bs) {
    for (const f of b.str.formats) out.unshift(...(FORMAT_SAMPLES[f] ?? []));
    for (const n of [
      b.str.minLength,
      b.str.minLength - 1,
      b.str.minLength + 1,
      b.str.maxLength,
      (b.str.maxLength ?? -2) + 1,
    ])
      if (n !== undefined && n >= 0 && n < 10_000) out.push('a'.repeat(n), 'x'.repeat(n));
    for (const e of b.enum ?? []) if (typeof e === 'string') out.push(e, `${e}_other`);
  }
  return out;
}

/** A value of `kind` the branch accepts, as far as the analysis can tell (best effort: verify.ts has the last word). */
export function sampleKind(b: Branch, kind: Kind, depth = 0): unknown {
  if (b.enum !== undefined) {
    const v = b.enum.find((e) => kindOf(e) === kind);
    if (v !== undefined) return v;
  }
  switch (kind) {
    case 'null':
      return null;
    case 'boolean':
      return firstAccepted(b, [true, false]);
    case 'number':
      return firstAccepted(b, numberCandidates([b]));
    case 'string':
      return firstAccepted(b, stringCandidates([b]));
    case 'array': {
      const out: unknown[] = [];
      for (let i = 0; i < b.arr.minItems && depth < 8; i++) out.push(sample(b.arr.prefix[i] ?? b.arr.items, depth + 1));
      return out;
    }
    default: {
      const out: Record<string, unknown> = {};
      for (const k of b.obj.required) out[k] = sample(schemaForKey(b.obj, k), depth + 1);
      for (const [k, s] of b.obj.props) {
        if (Object.keys(out).length >= b.obj.minProps) break;
        if (!(k in out) && !isFalse(s)) out[k] = sample(s, depth + 1);
      }
      return out;
    }
  }
}

/** A value the schema accepts, as far as the analysis can tell. */
export function sample(n: Norm, depth = 0): unknown {
  if (n.any) return null;
  const b = n.branches[0];
  if (b === undefined || depth > 12) return null;
  const kind = b.enum !== undefined ? kindOf(b.enum[0]) : ([...b.types][0] ?? 'null');
  return sampleKind(b, kind, depth);
}

const one = (b: Branch): Norm => ({ any: false, branches: [b], canon: '', from: undefined });

function plainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function objectBase(base: unknown, a: Branch): Record<string, unknown> {
  return plainObject(base) ? { ...base } : (sampleKind(a, 'object') as Record<string, unknown>);
}

function arrayBase(base: unknown, a: Branch): unknown[] {
  return Array.isArray(base) ? [...base] : (sampleKind(a, 'array') as unknown[]);
}

function describe(v: unknown): string {
  const text = JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

// ---- the walk -------------------------------------------------------------------------------------------------

function child(result: Containment, key: string, wrap: (build: (b: unknown) => unknown) => (b: unknown) => unknown) {
  return {
    breaks: result.breaks.map((f) => ({ ...f, path: [key, ...f.path], build: wrap(f.build) })),
    undecided: result.undecided.map((u) => ({ ...u, path: [key, ...u.path] })),
  };
}

function merge(into: Containment, more: Containment): void {
  into.breaks.push(...more.breaks);
  into.undecided.push(...more.undecided);
}

/** The values of `kind` a branch accepts when they are few (enum, null, boolean), else undefined. */
function finiteValues(a: Branch, kind: Kind): unknown[] | undefined {
  let values: unknown[] | undefined;
  if (a.enum !== undefined) values = a.enum.filter((v) => kindOf(v) === kind);
  else if (kind === 'null') values = [null];
  else if (kind === 'boolean') values = [true, false];
  return values?.filter((v) => accepts(one(a), v) !== false);
}

/** Which keyword of `b` rejects the scalar `v` (for the finding's `keyword`). */
function rejectingKeyword(bs: readonly Branch[], v: unknown): string {
  const b = bs.find((x) => x.types.has(kindOf(v)));
  if (b === undefined) return 'type';
  if (b.enum !== undefined && !b.enum.some((e) => canonicalJson(e) === canonicalJson(v)))
    return b.enum.length === 1 ? 'const' : 'enum';
  if (typeof v === 'number') {
    if (b.integer && !Number.isInteger(v)) return 'type';
    if (b.num.min !== undefined && (v < b.num.min || (b.num.minEx && v === b.num.min))) return 'minimum';
    if (b.num.max !== undefined && (v > b.num.max || (b.num.maxEx && v === b.num.max))) return 'maximum';
    return 'multipleOf';
  }
  if (typeof v === 'string') {
    const length = [...v].length;
    if (length < b.str.minLength) return 'minLength';
    if (b.str.maxLength !== undefined && length > b.str.maxLength) return 'maxLength';
    if (b.str.formats.some((f) => formats[f] !== undefined && !formats[f]?.(v))) return 'format';
    return 'pattern';
  }
  if (Array.isArray(v)) return b.arr.unique ? 'uniqueItems' : 'items';
  return 'type';
}

/** Every value A accepts is accepted by B: the breaks and undecided places where that fails or cannot be told. */
export function contains(A: Norm, B: Norm, sidesIn: Sides): Containment {
  let sides = sidesIn;
  if (B.any || A.canon === B.canon || isFalse(A)) return OK;
  // a change sits in a shared definition when both sides reach the same one (or an enclosing node already did)
  const from = A.from !== undefined && A.from === B.from ? A.from : sides.from;
  sides = { ...sides, from };
  if (A.any) {
    // A accepts anything, B does not: a kind B lacks, else a value of one B branch's kind that B rejects
    const missing = KINDS.find((k) => !B.branches.some((b) => b.types.has(k)));
    const v =
      missing !== undefined
        ? ({ null: null, boolean: true, number: 1.5, string: 'sample', array: [], object: {} } as const)[missing]
        : [null, true, 1.5, 'sample', [], {}, -1, '', 'not-a-uuid'].find((x) => accepts(B, x) === false);
    if (v === undefined || accepts(B, v) !== false)
      return {
        breaks: [],
        undecided: [{ path: [], keyword: 'type', reason: `cannot tell whether ${sides.b} accepts every value` }],
      };
    return {
      breaks: [
        {
          path: [],
          keyword: rejectingKeyword(B.branches, v),
          message: `${sides.a} accepts any value here, ${sides.b} rejects ${describe(v)}`,
          hint: hintFor('type', sides.direction),
          from,
          build: () => v,
        },
      ],
      undecided: [],
    };
  }
  const out: Containment = { breaks: [], undecided: [] };
  for (const a of A.branches) {
    const kinds = a.enum !== undefined ? [...new Set(a.enum.map(kindOf))].filter((k) => a.types.has(k)) : [...a.types];
    for (const kind of kinds) merge(out, containsKind(a, kind, B, sides, from));
  }
  return out;
}

function containsKind(a: Branch, kind: Kind, B: Norm, sides: Sides, from: string | undefined): Containment {
  const bs = B.branches.filter((b) => b.types.has(kind));
  const finite = finiteValues(a, kind);
  if (finite !== undefined) {
    const out: Containment = { breaks: [], undecided: [] };
    for (const v of finite) {
      const r = accepts(B, v);
      if (r === true) continue;
      if (r === null) {
        out.undecided.push({
          path: [],
          keyword: 'enum',
          reason: `cannot tell whether ${sides.b} accepts ${describe(v)} (${[...new Set(bs.flatMap((b) => b.unsupported))].join(', ') || 'an assertion the analysis does not read'})`,
        });
        continue;
      }
      const keyword = rejectingKeyword(bs, v);
      out.breaks.push({
        path: [],
        keyword,
        message: `${sides.a} accepts ${describe(v)}, ${sides.b} rejects it (${keyword})`,
        hint: hintFor(keyword === 'minimum' || keyword === 'maximum' ? keyword : keyword, sides.direction),
        from,
        build: () => v,
      });
    }
    return out;
  }
  if (bs.length === 0) {
    return {
      breaks: [
        {
          path: [],
          keyword: 'type',
          message: `${sides.a} accepts ${kind === 'array' || kind === 'object' ? 'an' : 'a'} ${kind} here, ${sides.b} does not`,
          hint: hintFor('type', sides.direction),
          from,
          build: (base) => (kindOf(base) === kind && accepts(one(a), base) === true ? base : sampleKind(a, kind)),
        },
      ],
      undecided: [],
    };
  }
  const results = bs.map((b) => containsBranch(a, b, kind, sides, from));
  const fits = results.find((r) => r.breaks.length === 0 && r.undecided.length === 0);
  if (fits !== undefined) return OK;
  if (results.length === 1) return results[0] as Containment;
  // several B alternatives of this kind: a break stands only when its witness is rejected by all of them
  const first = results[0] as Containment;
  const witnessed = first.breaks.filter((f) => accepts(B, f.build(undefined)) === false);
  if (witnessed.length > 0 && witnessed.length === first.breaks.length && first.undecided.length === 0)
    return { breaks: witnessed, undecided: [] };
  return {
    breaks: [],
    undecided: [
      {
        path: [],
        keyword: 'anyOf',
        reason: `${sides.b} has several alternatives for a ${kind} here and the analysis cannot tell whether together they accept every value of ${sides.a}`,
      },
    ],
  };
}

function searchWitness<T>(candidates: readonly T[], a: Branch, b: Branch): T | undefined {
  const A = one(a);
  const B = one(b);
  return candidates.find((v) => accepts(A, v) === true && accepts(B, v) === false);
}

function containsBranch(a: Branch, b: Branch, kind: Kind, sides: Sides, from: string | undefined): Containment {
  if (b.unsupported.length > 0 || a.unsupported.length > 0) {
    return {
      breaks: [],
      undecided: [
        {
          path: [],
          keyword: [...b.unsupported, ...a.unsupported][0] ?? 'unknown',
          reason: `the analysis does not decide ${[...new Set([...a.unsupported, ...b.unsupported])].join(', ')}`,
        },
      ],
    };
  }
  const scalarBreak = (v: unknown, issues: string[]): Containment => {
    const keyword = rejectingKeyword([b], v);
    return {
      breaks: [
        {
          path: [],
          keyword,
          message: `${sides.a} accepts ${describe(v)}, ${sides.b} rejects it (${issues.join('; ')})`,
          hint: hintFor(keyword, sides.direction),
          from,
          build: () => v,
        },
      ],
      undecided: [],
    };
  };
  const undecided = (keyword: string, reason: string): Containment => ({
    breaks: [],
    undecided: [{ path: [], keyword, reason }],
  });

  if (b.enum !== undefined && a.enum === undefined) {
    const candidates =
      kind === 'number'
        ? numberCandidates([a, b])
        : kind === 'string'
          ? stringCandidates([a, b])
          : [sampleKind(a, kind)];
    const v = searchWitness<unknown>(candidates, a, b);
    if (v !== undefined) return scalarBreak(v, [`${sides.b} accepts only ${describe(b.enum)}`]);
    return undecided('enum', `cannot tell whether every ${kind} ${sides.a} accepts is in ${describe(b.enum)}`);
  }

  switch (kind) {
    case 'number': {
      const issues: string[] = [];
      if (b.integer && !a.integer) issues.push(`${sides.b} accepts only integers`);
      const { min: aMin, minEx: aMinEx, max: aMax, maxEx: aMaxEx } = a.num;
      const { min: bMin, minEx: bMinEx, max: bMax, maxEx: bMaxEx } = b.num;
      if (bMin !== undefined && (aMin === undefined || aMin < bMin || (aMin === bMin && bMinEx && !aMinEx)))
        issues.push(`the lower bound moved to ${bMinEx ? '>' : '>='} ${bMin}`);
      if (bMax !== undefined && (aMax === undefined || aMax > bMax || (aMax === bMax && bMaxEx && !aMaxEx)))
        issues.push(`the upper bound moved to ${bMaxEx ? '<' : '<='} ${bMax}`);
      const bm = b.num.multipleOf;
      if (bm !== undefined) {
        const am = a.num.multipleOf ?? (a.integer ? 1 : undefined);
        if (am === undefined || Math.abs(am / bm - Math.round(am / bm)) > 1e-9)
          issues.push(`values must now be multiples of ${bm}`);
      }
      if (issues.length === 0) return OK;
      const v = searchWitness(numberCandidates([a, b]), a, b);
      return v === undefined
        ? undecided('minimum', `found ${issues.join('; ')} but no number that shows it`)
        : scalarBreak(v, issues);
    }
    case 'string': {
      const issues: string[] = [];
      let aMin = a.str.minLength;
      let aMax = a.str.maxLength;
      for (const f of a.str.formats) {
        const bounds = FORMAT_LENGTH[f];
        if (bounds) {
          aMin = Math.max(aMin, bounds[0]);
          if (bounds[1] !== undefined) aMax = aMax === undefined ? bounds[1] : Math.min(aMax, bounds[1]);
        }
      }
      if (b.str.minLength > aMin) issues.push(`minLength is now ${b.str.minLength}`);
      if (b.str.maxLength !== undefined && (aMax === undefined || aMax > b.str.maxLength))
        issues.push(`maxLength is now ${b.str.maxLength}`);
      for (const f of b.str.formats) {
        if (a.str.formats.includes(f)) continue;
        if (formats[f] === undefined) return undecided('format', `the analysis does not know the format '${f}'`);
        issues.push(`the format '${f}' is now required`);
      }
      const newPatterns = b.str.patterns.filter((p) => !a.str.patterns.includes(p));
      for (const p of newPatterns) issues.push(`the pattern '${p}' is now required`);
      if (issues.length === 0) return OK;
      const v = searchWitness(stringCandidates([a, b]), a, b);
      if (v !== undefined) return scalarBreak(v, issues);
      return newPatterns.length > 0
        ? undecided(
            'pattern',
            `cannot decide whether every string ${sides.a} accepts matches ${newPatterns.map((p) => `'${p}'`).join(', ')}`,
          )
        : undecided('format', `found ${issues.join('; ')} but no string that shows it`);
    }
    case 'array':
      return containsArray(a, b, sides, from);
    case 'object':
      return containsObject(a, b, sides, from);
    default:
      return OK;
  }
}

function containsArray(a: Branch, b: Branch, sides: Sides, from: string | undefined): Containment {
  const out: Containment = { breaks: [], undecided: [] };
  const lengthBreak = (n: number, keyword: string, message: string): void => {
    out.breaks.push({
      path: [],
      keyword,
      message,
      hint: hintFor(keyword, sides.direction),
      from,
      build: (base) => {
        const arr = arrayBase(base, a);
        while (arr.length > n) arr.pop();
        while (arr.length < n) arr.push(sample(a.arr.prefix[arr.length] ?? a.arr.items));
        return arr;
      },
    });
  };
  if (b.arr.minItems > a.arr.minItems)
    lengthBreak(
      a.arr.minItems,
      'minItems',
      `${sides.a} accepts ${a.arr.minItems} items, ${sides.b} requires at least ${b.arr.minItems}`,
    );
  if (b.arr.maxItems !== undefined && (a.arr.maxItems === undefined || a.arr.maxItems > b.arr.maxItems))
    lengthBreak(
      b.arr.maxItems + 1,
      'maxItems',
      `${sides.a} accepts ${b.arr.maxItems + 1} items, ${sides.b} at most ${b.arr.maxItems}`,
    );
  if (b.arr.unique && !a.arr.unique && (a.arr.maxItems === undefined || a.arr.maxItems >= 2))
    out.breaks.push({
      path: [],
      keyword: 'uniqueItems',
      message: `${sides.a} accepts repeated items, ${sides.b} requires unique items`,
      hint: hintFor('uniqueItems', sides.direction),
      from,
      build: () => {
        const v = sample(a.arr.items);
        return [v, v];
      },
    });
  const prefixLength = Math.max(a.arr.prefix.length, b.arr.prefix.length);
  const limit = a.arr.maxItems ?? Number.POSITIVE_INFINITY;
  for (let i = 0; i <= prefixLength && i < limit; i++) {
    const sa = a.arr.prefix[i] ?? a.arr.items;
    const sb = b.arr.prefix[i] ?? b.arr.items;
    if (isFalse(sa)) continue;
    const index = i;
    merge(
      out,
      child(contains(sa, sb, sides), String(index), (build) => (base) => {
        const arr = arrayBase(base, a);
        while (arr.length <= index) arr.push(sample(a.arr.prefix[arr.length] ?? a.arr.items));
        arr[index] = build(arr[index]);
        return arr;
      }),
    );
  }
  return out;
}

/** A key neither side names that A's propertyNames allow (an enum of names offers its own values first). */
function freshKey(a: Branch, b: Branch): string {
  const names = a.obj.propertyNames;
  const listed = names.branches.flatMap((n) => (n.enum ?? []).filter((v): v is string => typeof v === 'string'));
  const sampled = sample(names);
  const candidates = [...listed, 'extra_key', 'x_extra', 'another_key', 'zz_extra'];
  if (typeof sampled === 'string') candidates.push(sampled);
  for (const k of candidates) if (!a.obj.props.has(k) && !b.obj.props.has(k) && accepts(names, k) === true) return k;
  return 'extra_key_0';
}

function containsObject(a: Branch, b: Branch, sides: Sides, from: string | undefined): Containment {
  const out: Containment = { breaks: [], undecided: [] };
  for (const r of [...b.obj.required].sort()) {
    if (a.obj.required.has(r)) continue;
    const forbidden = isFalse(schemaForKey(a.obj, r));
    out.breaks.push({
      path: [],
      keyword: 'required',
      message: forbidden
        ? `${sides.b} requires '${r}', which ${sides.a} does not allow`
        : `'${r}' is optional in ${sides.a} and required in ${sides.b}`,
      hint: hintFor('required', sides.direction),
      from,
      build: (base) => {
        const o = objectBase(base, a);
        delete o[r];
        return o;
      },
    });
  }
  const keys = [...new Set([...a.obj.props.keys(), ...b.obj.props.keys()])].sort();
  for (const k of keys) {
    const sa = schemaForKey(a.obj, k);
    const sb = schemaForKey(b.obj, k);
    if (isFalse(sa)) continue;
    const put =
      (build: (x: unknown) => unknown) =>
      (base: unknown): unknown => {
        const o = objectBase(base, a);
        o[k] = build(o[k]);
        return o;
      };
    if (isFalse(sb)) {
      const removed = a.obj.props.has(k);
      out.breaks.push({
        path: [k],
        keyword: 'additionalProperties',
        message: removed
          ? `'${k}' is a property of ${sides.a}; ${sides.b} does not allow it`
          : `${sides.a} accepts '${k}' as a free key; ${sides.b} does not allow it`,
        hint: hintFor('additionalProperties', sides.direction, removed ? 'removed-key' : 'closed'),
        from,
        build: put((x) => (x === undefined ? sample(sa) : x)),
      });
      continue;
    }
    const r = contains(sa, sb, sides);
    if (!a.obj.props.has(k) && r.breaks.length > 0)
      for (let i = 0; i < r.breaks.length; i++) {
        const f = r.breaks[i] as Break;
        r.breaks[i] = { ...f, message: `'${k}' was a free key of the open payload; ${f.message}` };
      }
    merge(out, child(r, k, put));
  }
  // keys neither side names
  if (!isFalse(a.obj.additional)) {
    const extra = freshKey(a, b);
    const sb = schemaForKey(b.obj, extra);
    if (isFalse(sb)) {
      out.breaks.push({
        path: [extra],
        keyword: 'additionalProperties',
        message: `${sides.a} accepts keys it does not list (an open payload), ${sides.b} does not`,
        hint: hintFor('additionalProperties', sides.direction, 'closed'),
        from,
        build: (base) => {
          const o = objectBase(base, a);
          o[extra] = sample(a.obj.additional);
          return o;
        },
      });
    } else {
      merge(
        out,
        child(contains(a.obj.additional, sb, sides), extra, (build) => (base) => {
          const o = objectBase(base, a);
          o[extra] = build(o[extra]);
          return o;
        }),
      );
    }
  }
  if (a.obj.propertyNames.canon !== b.obj.propertyNames.canon && !b.obj.propertyNames.any) {
    const closed = isFalse(a.obj.additional) && a.obj.patternProps.length === 0;
    if (closed) {
      for (const k of a.obj.props.keys()) {
        const r = accepts(b.obj.propertyNames, k);
        if (r === false)
          out.breaks.push({
            path: [],
            keyword: 'propertyNames',
            message: `${sides.a} accepts the key '${k}', ${sides.b}'s propertyNames reject it`,
            hint: hintFor('propertyNames', sides.direction),
            from,
            build: (base) => {
              const o = objectBase(base, a);
              if (!(k in o)) o[k] = sample(schemaForKey(a.obj, k));
              return o;
            },
          });
      }
    } else {
      const r = contains(a.obj.propertyNames, b.obj.propertyNames, sides);
      for (const f of r.breaks) {
        const key = f.build(undefined);
        if (typeof key !== 'string') continue;
        out.breaks.push({
          path: [],
          keyword: 'propertyNames',
          message: `${sides.a} accepts the key ${describe(key)}, ${sides.b}'s propertyNames reject it`,
          hint: hintFor('propertyNames', sides.direction),
          from,
          build: (base) => {
            const o = objectBase(base, a);
            o[key] = sample(schemaForKey(a.obj, key));
            return o;
          },
        });
      }
      for (const u of r.undecided) out.undecided.push({ ...u, keyword: 'propertyNames' });
    }
  }
  if (b.obj.minProps > a.obj.minProps) {
    const s = sampleKind(a, 'object') as Record<string, unknown>;
    if (Object.keys(s).length < b.obj.minProps)
      out.breaks.push({
        path: [],
        keyword: 'minProperties',
        message: `${sides.a} accepts ${Object.keys(s).length} keys here, ${sides.b} requires at least ${b.obj.minProps}`,
        hint: hintFor('minProperties', sides.direction),
        from,
        build: () => sampleKind(a, 'object'),
      });
    else
      out.undecided.push({
        path: [],
        keyword: 'minProperties',
        reason: `minProperties rose to ${b.obj.minProps}; no small enough object found`,
      });
  }
  if (b.obj.maxProps !== undefined && (a.obj.maxProps === undefined || a.obj.maxProps > b.obj.maxProps)) {
    const limit = b.obj.maxProps;
    const build = (base: unknown): unknown => {
      const o = objectBase(base, a);
      for (const [k, s] of a.obj.props) if (Object.keys(o).length <= limit && !(k in o)) o[k] = sample(s);
      for (let i = 0; Object.keys(o).length <= limit && !isFalse(a.obj.additional) && i < limit + 2; i++)
        o[`extra_key_${i}`] = sample(a.obj.additional);
      return o;
    };
    out.breaks.push({
      path: [],
      keyword: 'maxProperties',
      message: `${sides.a} accepts more than ${limit} keys here, ${sides.b} at most ${limit}`,
      hint: hintFor('maxProperties', sides.direction),
      from,
      build,
    });
  }
  return out;
}

/** Formats instance path segments as a JSON Pointer. */
export function pointer(path: readonly string[]): string {
  return path.map((p) => `/${escapePointer(p)}`).join('');
}

export { FALSE };
