// the rules every schema follows, stated once: codegen (resolve, model, render), the schema linter (`check`), the
// sanity script and the schema diff all ask this module rather than restating a rule with their own message
import type { ValidateFunction } from 'ajv';

/** The `$id` prefix every schema's `$id` starts with, followed by its path below `schemas/`. */
export const ID_BASE = 'https://stageflow-events.dev/schemas/';

/** The vendor keywords our schemas use, which ajv's strict mode must be told about. */
export const VENDOR_KEYWORDS = [
  'x-event-type',
  'x-event-type-pattern',
  'x-event-type-template',
  'x-family',
  'x-version',
  // the compatibility mode `diff` and `check --against` judge this event type under (backward, forward, full, none)
  'x-compatibility',
] as const;

/** True for a vendor keyword (`x-...`): ours, meaningful to codegen, never to a JSON Schema validator or type compiler. */
export function isVendorKeyword(key: string): boolean {
  return key.startsWith('x-');
}

/** Keywords whose values are data, not subschemas: a walk over a schema never descends into them. */
export const DATA_KEYWORDS: ReadonlySet<string> = new Set(['examples', 'const', 'enum', 'default']);

/** True when the value under `key` is data (an example, a constant, an enum list, a default), not a subschema. */
export function isDataKeyword(key: string): boolean {
  return DATA_KEYWORDS.has(key);
}

/**
 * Keywords that say nothing about the payload's TypeScript type: the vendor keywords, the document's identity and its
 * examples; `title` too, since the type compiler would name the type after it (codegen names types itself).
 */
export function isNonTypeKeyword(key: string): boolean {
  return isVendorKeyword(key) || key === '$id' || key === '$schema' || key === 'examples' || key === 'title';
}

/**
 * Keywords that never change which payloads a schema accepts: the vendor keywords, the document's identity, and the
 * annotations of JSON Schema 2020-12 (title, description, examples, default, `$comment`, deprecated, readOnly, writeOnly).
 */
export function isAnnotationKeyword(key: string): boolean {
  return isVendorKeyword(key) || ANNOTATION_KEYWORDS.has(key);
}

const ANNOTATION_KEYWORDS: ReadonlySet<string> = new Set([
  '$id',
  '$schema',
  '$comment',
  'title',
  'description',
  'examples',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
]);

/** Keywords whose value maps names (property names, definition names) to subschemas. */
export const SUBSCHEMA_MAP_KEYWORDS: ReadonlySet<string> = new Set([
  'properties',
  'patternProperties',
  '$defs',
  'dependentSchemas',
]);

/** True when a schema describes one event (it has `x-event-type` or `x-event-type-pattern`), not shared `$defs`. */
export function isEventSchema(json: Readonly<Record<string, unknown>>): boolean {
  return 'x-event-type' in json || 'x-event-type-pattern' in json;
}

/**
 * True when a schema is a shared type: not an event, but an object schema of its own (`type: 'object'` with
 * `properties`), such as `common/correlation-keys.v1.json`. Codegen writes its TypeScript type and field list to
 * `generated/common/<name>.ts`.
 */
export function isSharedTypeSchema(json: Readonly<Record<string, unknown>>): boolean {
  const props = json.properties;
  return (
    !isEventSchema(json) &&
    json.type === 'object' &&
    props !== null &&
    typeof props === 'object' &&
    !Array.isArray(props)
  );
}

/** Escapes one key for a JSON pointer (RFC 6901): `~` as `~0`, `/` as `~1`. */
export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Reverses {@link escapePointer} for one pointer segment (percent-decoding first, as in a URI fragment). */
export function unescapePointer(segment: string): string {
  return decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The node `pointer` (a JSON pointer, `''` or `'/'` for the root) names in `root`, or undefined. */
export function pointerGet(root: unknown, pointer: string): unknown {
  if (pointer === '' || pointer === '/') return root;
  let node: unknown = root;
  for (const raw of pointer.replace(/^\//, '').split('/')) {
    const key = unescapePointer(raw);
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** One broken rule: where (a JSON pointer into the schema file) and what was expected. */
export interface RuleProblem {
  readonly pointer: string;
  readonly message: string;
}

/** The message of the "every field described" rule. */
export const FIELD_DESCRIPTION_MESSAGE = 'expected a description for every field';

/**
 * Rule "every field described": one problem per entry of `node.properties` without a non-blank `description`, at
 * `<pointer>/properties/<name>/description`. `pointer` is where `node` sits in its file.
 */
export function undescribedFields(node: Readonly<Record<string, unknown>>, pointer = ''): RuleProblem[] {
  const props = node.properties;
  if (props === null || typeof props !== 'object' || Array.isArray(props)) return [];
  const out: RuleProblem[] = [];
  for (const [name, sub] of Object.entries(props)) {
    const d = (sub as { description?: unknown } | null)?.description;
    if (typeof d !== 'string' || d.trim() === '')
      out.push({
        pointer: `${pointer}/properties/${escapePointer(name)}/description`,
        message: FIELD_DESCRIPTION_MESSAGE,
      });
  }
  return out;
}

/** The message of the "example present" rule. */
export const EXAMPLES_MISSING_MESSAGE = 'expected at least one example payload';

/**
 * Rule "example present and valid" for an event schema: a problem at `/examples` when there is none, else one per
 * validation error of each example, at `/examples/<i>`, naming the instance path and ajv's message.
 */
export function exampleProblems(json: Readonly<Record<string, unknown>>, validate: ValidateFunction): RuleProblem[] {
  const examples = json.examples;
  if (!Array.isArray(examples) || examples.length === 0)
    return [{ pointer: '/examples', message: EXAMPLES_MISSING_MESSAGE }];
  const out: RuleProblem[] = [];
  examples.forEach((example, i) => {
    if (validate(example)) return;
    for (const err of validate.errors ?? [])
      out.push({
        pointer: `/examples/${i}`,
        message: `the example does not validate: ${err.instancePath || '/'} ${err.message ?? err.keyword}`.trim(),
      });
  });
  return out;
}

/** Every subschema of `node` (never data under {@link DATA_KEYWORDS}), with its JSON pointer, parents first. */
export function walkSubschemas(
  node: unknown,
  visit: (node: Record<string, unknown>, pointer: string) => void,
  pointer = '',
): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    node.forEach((v, i) => {
      walkSubschemas(v, visit, `${pointer}/${i}`);
    });
    return;
  }
  const obj = node as Record<string, unknown>;
  visit(obj, pointer);
  for (const [k, v] of Object.entries(obj)) {
    if (isDataKeyword(k)) continue;
    if (k === 'properties' && v !== null && typeof v === 'object') {
      for (const [name, sub] of Object.entries(v))
        walkSubschemas(sub, visit, `${pointer}/properties/${escapePointer(name)}`);
    } else walkSubschemas(v, visit, `${pointer}/${escapePointer(k)}`);
  }
}
