// the analysis's own reading of a normalised schema on one value: used to pick candidate counterexamples and to
// decide finite sets (enums). Nothing is printed on its word alone: verify.ts re-checks with the real validators.
import { formats } from '../runtime/formats.js';
import { type Branch, canonicalJson, kindOf, type Norm, schemaForKey } from './normalise.js';

/** `true` accepted, `false` rejected, `null` the branch holds an assertion the analysis does not evaluate. */
export type Tri = boolean | null;

function regex(pattern: string): RegExp | null {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return null;
  }
}

function and(a: Tri, b: Tri): Tri {
  if (a === false || b === false) return false;
  if (a === null || b === null) return null;
  return true;
}

function stringAccepts(b: Branch, s: string): Tri {
  const length = [...s].length;
  if (length < b.str.minLength) return false;
  if (b.str.maxLength !== undefined && length > b.str.maxLength) return false;
  let out: Tri = true;
  for (const p of b.str.patterns) {
    const r = regex(p);
    if (r === null) out = and(out, null);
    else if (!r.test(s)) return false;
  }
  for (const f of b.str.formats) {
    const check = formats[f];
    if (check === undefined) out = and(out, null);
    else if (!check(s)) return false;
  }
  return out;
}

function numberAccepts(b: Branch, n: number): Tri {
  if (b.integer && !Number.isInteger(n)) return false;
  const { min, minEx, max, maxEx, multipleOf } = b.num;
  if (min !== undefined && (minEx ? n <= min : n < min)) return false;
  if (max !== undefined && (maxEx ? n >= max : n > max)) return false;
  if (multipleOf !== undefined) {
    const q = n / multipleOf;
    if (!Number.isFinite(q) || Math.abs(q - Math.round(q)) > 1e-9) return false;
  }
  return true;
}

function branchAccepts(b: Branch, v: unknown): Tri {
  const kind = kindOf(v);
  if (!b.types.has(kind)) return false;
  if (b.enum !== undefined && !b.enum.some((e) => canonicalJson(e) === canonicalJson(v))) return false;
  let out: Tri = b.unsupported.length > 0 ? null : true;
  switch (kind) {
    case 'number':
      return and(out, numberAccepts(b, v as number));
    case 'string':
      return and(out, stringAccepts(b, v as string));
    case 'array': {
      const a = v as unknown[];
      if (a.length < b.arr.minItems) return false;
      if (b.arr.maxItems !== undefined && a.length > b.arr.maxItems) return false;
      if (b.arr.unique && new Set(a.map(canonicalJson)).size !== a.length) return false;
      for (let i = 0; i < a.length; i++) {
        out = and(out, accepts(b.arr.prefix[i] ?? b.arr.items, a[i]));
        if (out === false) return false;
      }
      return out;
    }
    case 'object': {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length < b.obj.minProps) return false;
      if (b.obj.maxProps !== undefined && keys.length > b.obj.maxProps) return false;
      for (const r of b.obj.required) if (!(r in o)) return false;
      for (const k of keys) {
        out = and(out, accepts(b.obj.propertyNames, k));
        out = and(out, accepts(schemaForKey(b.obj, k), o[k]));
        if (out === false) return false;
      }
      return out;
    }
    default:
      return out;
  }
}

/** Whether the normalised schema accepts `v`, on the analysis's own reading. */
export function accepts(n: Norm, v: unknown): Tri {
  if (n.any) return true;
  let out: Tri = false;
  for (const b of n.branches) {
    const r = branchAccepts(b, v);
    if (r === true) return true;
    if (r === null) out = null;
  }
  return out;
}
