import { loadSchemas, type LoadedSchema } from '../../codegen/load.js';
import { collectRefs, createAjv, resolveSchemas } from '../../codegen/resolve.js';
import {
  escapePointer,
  exampleProblems,
  EXAMPLES_MISSING_MESSAGE,
  ID_BASE,
  isEventSchema,
  undescribedFields,
  walkSubschemas,
} from '../../codegen/schema-rules.js';
import type { PayloadFinding } from '../conformance/index.js';
import { SchemaError } from '../errors.js';

/** One lint finding about a schema file; `instancePath` is a JSON pointer into that schema. */
export interface SchemaLintFinding extends PayloadFinding {
  readonly file: string;
}

// the stage lifecycle payloads are documented as open: the caller's own keys sit beside the typed base keys
const OPEN_BY_DESIGN = new Set([
  'stage.started',
  'stage.completed',
  'stage.failed',
  'stage.{name}.started',
  'stage.{name}.completed',
  'stage.{name}.failed',
]);

function finding(file: string, pointer: string, keyword: string, message: string): SchemaLintFinding {
  return { file, level: 'error', eventType: null, instancePath: pointer, keyword, message };
}

function fromSchemaError(e: SchemaError): SchemaLintFinding {
  return finding(e.file, e.pointer, 'schema', e.message.slice(e.message.indexOf(': ') + 2));
}

function lintOne(s: LoadedSchema, out: SchemaLintFinding[]): void {
  const type = (s.json['x-event-type'] ?? s.json['x-event-type-template']) as string | undefined;
  const isEvent = type !== undefined;
  walkSubschemas(s.json, (node, pointer) => {
    for (const p of undescribedFields(node, pointer))
      out.push(finding(s.displayPath, p.pointer, 'described', p.message));
    const props = node.properties;
    if (props !== null && typeof props === 'object' && !Array.isArray(props)) {
      const open = node.additionalProperties !== false;
      const allowed = pointer === '' && type !== undefined && OPEN_BY_DESIGN.has(type);
      if (open && !allowed)
        out.push(
          finding(s.displayPath, pointer, 'closed', `object declares properties but not "additionalProperties": false`),
        );
    }
  });
  if (isEvent) {
    const ex = s.json.examples;
    if (!Array.isArray(ex) || ex.length === 0)
      out.push(finding(s.displayPath, '/examples', 'examples', EXAMPLES_MISSING_MESSAGE));
  }
}

// compiles every schema once (as codegen does) and reports every failing example, where resolve stops at the first
function lintExamples(loaded: readonly LoadedSchema[], out: SchemaLintFinding[]): void {
  const ajv = createAjv();
  for (const s of loaded) {
    try {
      ajv.addSchema(s.json);
    } catch {
      return;
    }
  }
  for (const s of loaded) {
    if (!isEventSchema(s.json)) continue;
    // a missing or empty example list is lintOne's finding; here only the examples that do not validate
    if (typeof s.json.$id !== 'string' || !Array.isArray(s.json.examples) || s.json.examples.length === 0) continue;
    let validate: ReturnType<typeof ajv.getSchema>;
    try {
      validate = ajv.getSchema(s.json.$id);
    } catch {
      continue;
    }
    if (validate === undefined) continue;
    for (const p of exampleProblems(s.json, validate))
      out.push(finding(s.displayPath, p.pointer, 'examples', p.message));
  }
}

function lintUnusedDefs(loaded: readonly LoadedSchema[], out: SchemaLintFinding[]): void {
  const refs = new Set<string>();
  for (const s of loaded) collectRefs(s.json, refs, s.file);
  for (const s of loaded) {
    if (!s.file.startsWith('common/')) continue;
    const defs = s.json.$defs;
    if (defs === null || typeof defs !== 'object') continue;
    for (const name of Object.keys(defs)) {
      const target = `${ID_BASE}${s.file}#/$defs/${escapePointer(name)}`;
      const used = [...refs].some((r) => decodeURIComponent(r) === target);
      if (!used)
        out.push(
          finding(
            s.displayPath,
            `/$defs/${escapePointer(name)}`,
            'unused-def',
            `definition '${name}' is not referenced by any schema`,
          ),
        );
    }
  }
}

function lintUniqueTypes(loaded: readonly LoadedSchema[], out: SchemaLintFinding[]): void {
  const claimed = new Map<string, string>();
  for (const s of loaded) {
    const type = (s.json['x-event-type'] ?? s.json['x-event-type-template']) as string | undefined;
    if (type === undefined) continue;
    const key = `${type}@v${String(s.json['x-version'])}`;
    const other = claimed.get(key);
    if (other === undefined) claimed.set(key, s.displayPath);
    else
      out.push(
        finding(
          s.displayPath,
          '/x-event-type',
          'unique-type',
          `event type '${type}' (v${String(s.json['x-version'])}) is already claimed by ${other}`,
        ),
      );
  }
}

/** True when `f` is already covered by a finding in `out` (same file, and a pointer at or below it). */
export function alreadyReported(out: readonly SchemaLintFinding[], file: string, pointer: string): boolean {
  return out.some((o) => o.file === file && (o.instancePath === pointer || o.instancePath.startsWith(`${pointer}/`)));
}

/** Lints every schema of `schemasDir`; `loaded` is false when the files could not even be read and parsed, so codegen cannot run; `schemas` counts the files linted. */
export function lintSchemas(
  schemasDir: string,
  displayRoot = 'schemas',
): { findings: SchemaLintFinding[]; loaded: boolean; schemas: number } {
  const out: SchemaLintFinding[] = [];
  let loaded: LoadedSchema[];
  try {
    loaded = loadSchemas(schemasDir, displayRoot);
  } catch (e) {
    if (e instanceof SchemaError) return { findings: [fromSchemaError(e)], loaded: false, schemas: 0 };
    throw e;
  }
  for (const s of loaded) lintOne(s, out);
  lintUniqueTypes(loaded, out);
  lintUnusedDefs(loaded, out);
  lintExamples(loaded, out);
  try {
    resolveSchemas(loaded);
  } catch (e) {
    if (!(e instanceof SchemaError)) throw e;
    // resolve stops at its first problem; skip it when a lint above already reported the same place
    if (!alreadyReported(out, e.file, e.pointer)) out.push(fromSchemaError(e));
  }
  return { findings: out, loaded: true, schemas: loaded.length };
}
