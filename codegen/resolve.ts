// phase 2: check each schema's shape, resolve every $ref, compile everything once with ajv, check examples
import { Ajv2020 } from 'ajv/dist/2020.js';
import { _ } from 'ajv';
import { SchemaError } from '../src/errors.js';
import { formats } from '../src/runtime/formats.js';
import type { LoadedSchema } from './load.js';
import {
  exampleProblems,
  escapePointer,
  ID_BASE,
  isDataKeyword,
  isEventSchema,
  isSharedTypeSchema,
  pointerGet,
  VENDOR_KEYWORDS,
} from './schema-rules.js';

// kept here for callers that imported them from resolve before the rules got their own module
export { ID_BASE, VENDOR_KEYWORDS };

/** A schema that describes one event type, checked and with every `$ref` inlined. */
export interface ResolvedEvent {
  readonly source: LoadedSchema;
  /** The exact type string, or the template for a pattern type. */
  readonly type: string;
  readonly pattern: string | undefined;
  readonly family: string;
  readonly version: number;
  readonly id: string;
  /** The schema with every `$ref` replaced by its target (siblings such as `description` win). */
  readonly dereferenced: Record<string, unknown>;
}

/** A shared type (see `isSharedTypeSchema`), checked and with every `$ref` inlined. */
export interface ResolvedSharedType {
  readonly source: LoadedSchema;
  readonly id: string;
  readonly dereferenced: Record<string, unknown>;
}

/** Everything later phases need: the event schemas, the shared types and an ajv instance holding all schemas. */
export interface ResolvedSet {
  readonly events: readonly ResolvedEvent[];
  readonly sharedTypes: readonly ResolvedSharedType[];
  readonly ajv: Ajv2020;
}

/** Creates the ajv instance codegen compiles with: strict, all errors, our format functions, ESM standalone output. */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    strict: true,
    allErrors: true,
    code: { source: true, esm: true, formats: _`__formats` },
  });
  for (const [name, fn] of Object.entries(formats)) ajv.addFormat(name, fn);
  for (const k of VENDOR_KEYWORDS) ajv.addKeyword(k);
  return ajv;
}

/** Checks one schema's required top-level shape; the message names the keyword and what was expected. */
function checkShape(s: LoadedSchema): void {
  const j = s.json;
  const fail = (pointer: string, problem: string): never => {
    throw new SchemaError(s.displayPath, pointer, problem);
  };
  if (j.$schema !== 'https://json-schema.org/draft/2020-12/schema')
    fail('/$schema', "expected 'https://json-schema.org/draft/2020-12/schema'");
  const expectedId = ID_BASE + s.file;
  if (j.$id !== expectedId)
    fail('/$id', `expected '${expectedId}' (derived from the path), got ${JSON.stringify(j.$id)}`);
  if (typeof j.title !== 'string' || j.title === '') fail('/title', 'expected a non-empty string');
  if (typeof j.description !== 'string' || j.description === '') fail('/description', 'expected a non-empty string');
  if (!isEventSchema(j)) {
    if (!('$defs' in j) && !isSharedTypeSchema(j))
      fail(
        '',
        "expected 'x-event-type' or 'x-event-type-pattern' (an event), '$defs' (shared definitions), or type 'object' with 'properties' (a shared type)",
      );
    if (isSharedTypeSchema(j) && j.additionalProperties !== false)
      fail('/additionalProperties', 'expected false: a shared type is closed');
    return;
  }
  if ('x-event-type' in j && 'x-event-type-pattern' in j)
    fail('/x-event-type-pattern', "a schema has either 'x-event-type' or 'x-event-type-pattern', not both");
  if (
    'x-event-type' in j &&
    (typeof j['x-event-type'] !== 'string' || !/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/.test(j['x-event-type']))
  ) {
    fail(
      '/x-event-type',
      `expected a dot.case event type such as 'tool.invoked', got ${JSON.stringify(j['x-event-type'])}`,
    );
  }
  if ('x-event-type-pattern' in j) {
    const p = j['x-event-type-pattern'];
    if (typeof p !== 'string' || !p.startsWith('^') || !p.endsWith('$'))
      fail('/x-event-type-pattern', 'expected an anchored regular expression (^...$)');
    try {
      new RegExp(p as string);
    } catch (e) {
      fail('/x-event-type-pattern', `not a valid regular expression: ${(e as Error).message}`);
    }
    const t = j['x-event-type-template'];
    if (typeof t !== 'string' || !/\{[a-z_]+\}/.test(t))
      fail('/x-event-type-template', "expected a template with one {placeholder}, such as 'stage.{name}.started'");
    const sampleType = (t as string).replace(/\{[a-z_]+\}/, 'sample');
    if (!new RegExp(p as string).test(sampleType))
      fail('/x-event-type-template', `the template '${t as string}' does not match the pattern '${p as string}'`);
  }
  if (typeof j['x-family'] !== 'string' || !/^[a-z][a-z0-9_]*$/.test(j['x-family']))
    fail('/x-family', 'expected a lowercase family name');
  if (!Number.isInteger(j['x-version']) || (j['x-version'] as number) < 1)
    fail('/x-version', 'expected a positive integer');
  const folder = s.file.split('/')[0];
  if (s.file.split('/').length !== 2 || folder !== j['x-family'])
    fail('/x-family', `expected the schema to live in schemas/${String(j['x-family'])}/`);
  const type = (j['x-event-type'] ?? j['x-event-type-template']) as string;
  const expectedFile = `${type}.v${String(j['x-version'])}.json`;
  if (s.file.split('/')[1] !== expectedFile) fail('', `expected the file to be named '${expectedFile}'`);
  if (j.type !== 'object') fail('/type', "expected 'object': an event payload is an object");
  if (!('additionalProperties' in j))
    fail('/additionalProperties', 'expected an explicit additionalProperties (false for a closed payload)');
}

/** Resolves `ref` from `fromFile`; returns the target file and node, or throws a SchemaError naming the $ref. */
function resolveRef(
  byFile: Map<string, LoadedSchema>,
  from: LoadedSchema,
  ref: string,
  at: string,
): { file: LoadedSchema; node: unknown } {
  const [path = '', fragment = ''] = ref.split('#');
  let target = from;
  if (path !== '') {
    const url = new URL(path, ID_BASE + from.file).href;
    const file = url.startsWith(ID_BASE) ? byFile.get(url.slice(ID_BASE.length)) : undefined;
    if (!file)
      throw new SchemaError(
        from.displayPath,
        at,
        `unresolvable $ref '${ref}': no schema file ${url.startsWith(ID_BASE) ? `schemas/${url.slice(ID_BASE.length)}` : url}`,
      );
    target = file;
  }
  const node = pointerGet(target.json, fragment);
  if (node === undefined)
    throw new SchemaError(
      from.displayPath,
      at,
      `unresolvable $ref '${ref}': no '${fragment}' in ${target.displayPath}`,
    );
  return { file: target, node };
}

function deref(
  byFile: Map<string, LoadedSchema>,
  from: LoadedSchema,
  node: unknown,
  at: string,
  seen: readonly string[],
): unknown {
  if (Array.isArray(node)) return node.map((v, i) => deref(byFile, from, v, `${at}/${i}`, seen));
  if (node === null || typeof node !== 'object') return node;
  const obj = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (typeof obj.$ref === 'string') {
    const key = `${from.file}#${obj.$ref}`;
    if (seen.includes(key)) throw new SchemaError(from.displayPath, `${at}/$ref`, `circular $ref '${obj.$ref}'`);
    const { file, node: target } = resolveRef(byFile, from, obj.$ref, `${at}/$ref`);
    Object.assign(out, deref(byFile, file, target, at, [...seen, key]));
  }
  for (const [k, v] of Object.entries(obj)) {
    if (k === '$ref') continue;
    // examples and enum/const values are data, not schemas: never walk into them
    out[k] = isDataKeyword(k) ? v : deref(byFile, from, v, `${at}/${escapePointer(k)}`, seen);
  }
  return out;
}

/**
 * Adds to `into` every `$ref` under `node` (never inside data such as examples), as an absolute URL resolved against
 * the file `from` (its path below `schemas/`), and returns `into`. The schema linter uses it to report unused `$defs`.
 */
export function collectRefs(node: unknown, into: Set<string>, from: string): Set<string> {
  if (Array.isArray(node)) for (const v of node) collectRefs(v, into, from);
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') into.add(new URL(v, ID_BASE + from).href);
      else if (!isDataKeyword(k)) collectRefs(v, into, from);
    }
  }
  return into;
}

const DYNAMIC_KEYWORDS = new Set(['unevaluatedProperties', 'unevaluatedItems', '$dynamicRef', '$dynamicAnchor']);

// true when a schema (outside its examples) uses a keyword whose code needs ajv's evaluated/dynamic-anchor tracking
function usesDynamicKeywords(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(usesDynamicKeywords);
  if (node === null || typeof node !== 'object') return false;
  for (const [k, v] of Object.entries(node)) {
    if (DYNAMIC_KEYWORDS.has(k)) return true;
    if (k !== 'examples' && k !== 'const' && k !== 'enum' && k !== 'default' && usesDynamicKeywords(v)) return true;
  }
  return false;
}

/** Phase 2: checks shapes, uniqueness of event types, every `$ref`, compiles all schemas and validates their examples. */
export function resolveSchemas(
  loaded: readonly LoadedSchema[],
  options: {
    /** Compile and check examples only of the events (and shared types) this returns true for; default all. Watch mode passes the ones whose dereferenced schema changed. */
    readonly shouldCompile?: (source: LoadedSchema, dereferenced: Record<string, unknown>) => boolean;
  } = {},
): ResolvedSet {
  const shouldCompile = options.shouldCompile ?? (() => true);
  const byFile = new Map(loaded.map((s) => [s.file, s]));
  for (const s of loaded) checkShape(s);
  const ajv = createAjv();
  // Ajv2020 always compiles for unevaluated*/$dynamicRef: every validator then allocates a dynamicAnchors object
  // and resets `evaluated` per call; our schemas use neither, so generate the leaner code unless one does
  if (!loaded.some((s) => usesDynamicKeywords(s.json))) {
    const opts = ajv.opts as { dynamicRef?: boolean; unevaluated?: boolean };
    opts.dynamicRef = false;
    opts.unevaluated = false;
  }
  for (const s of loaded) {
    try {
      ajv.addSchema(s.json);
    } catch (cause) {
      throw new SchemaError(s.displayPath, '', `not a valid JSON Schema: ${(cause as Error).message}`, { cause });
    }
  }
  const events: ResolvedEvent[] = [];
  const sharedTypes: ResolvedSharedType[] = [];
  const claimed = new Map<string, string>();
  for (const s of loaded) {
    const j = s.json;
    if (!isEventSchema(j)) {
      const dereferenced = deref(byFile, s, j, '', []) as Record<string, unknown>;
      if (isSharedTypeSchema(j)) sharedTypes.push({ source: s, id: j.$id as string, dereferenced });
      continue;
    }
    const type = (j['x-event-type'] ?? j['x-event-type-template']) as string;
    const key = `${type}@v${String(j['x-version'])}`;
    const other = claimed.get(key);
    if (other !== undefined)
      throw new SchemaError(
        s.displayPath,
        '/x-event-type',
        `event type '${type}' (v${String(j['x-version'])}) is already claimed by ${other}`,
      );
    claimed.set(key, s.displayPath);
    const dereferenced = deref(byFile, s, j, '', []) as Record<string, unknown>;
    events.push({
      source: s,
      type,
      pattern: j['x-event-type-pattern'] as string | undefined,
      family: j['x-family'] as string,
      version: j['x-version'] as number,
      id: j.$id as string,
      dereferenced,
    });
  }
  for (const e of events) {
    if (!shouldCompile(e.source, e.dereferenced)) continue;
    let validate: ReturnType<typeof ajv.getSchema>;
    try {
      validate = ajv.getSchema(e.id);
    } catch (cause) {
      throw new SchemaError(e.source.displayPath, '', `does not compile: ${(cause as Error).message}`, { cause });
    }
    if (!validate) throw new SchemaError(e.source.displayPath, '/$id', `ajv did not register '${e.id}'`);
    const [problem] = exampleProblems(e.source.json, validate);
    if (problem) throw new SchemaError(e.source.displayPath, problem.pointer, problem.message);
  }
  for (const e of events) {
    if (!e.pattern) continue;
    for (const other of events) {
      if (other !== e && !other.pattern && new RegExp(e.pattern).test(other.type)) {
        throw new SchemaError(
          e.source.displayPath,
          '/x-event-type-pattern',
          `the pattern also matches '${other.type}', claimed by ${other.source.displayPath}`,
        );
      }
    }
  }
  for (const t of sharedTypes) {
    if (!shouldCompile(t.source, t.dereferenced)) continue;
    const validate = ajv.getSchema(t.id);
    if (!validate) throw new SchemaError(t.source.displayPath, '/$id', `ajv did not register '${t.id}'`);
    const [problem] = exampleProblems(t.source.json, validate);
    if (problem) throw new SchemaError(t.source.displayPath, problem.pointer, problem.message);
  }
  return { events, sharedTypes, ajv };
}
