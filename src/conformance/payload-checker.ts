import { EVENT_DESCRIPTORS, findEventDescriptor, findEventDescriptorVersion } from '../../generated/index.js';
import type { EventDescriptor, ValidationIssue } from '../runtime/index.js';
import { clip } from '../io/printable.js';
import { closestMatch } from './closest-match.js';

/** One problem with one payload: ajv's keyword and JSON pointer (into `data`) plus what was expected, what was found and a hint. */
export interface PayloadFinding {
  readonly level: 'error' | 'warning';
  /** The event type the payload claims (or was checked against), `null` when it has none. */
  readonly eventType: string | null;
  /** A JSON pointer into the payload's `data` ('' for the payload as a whole). */
  readonly instancePath: string;
  /** The ajv keyword that failed, or one of ours: `json`, `envelope`, `unknown-type`, `too-long`, `empty-line`, `empty-file`, `newline`. */
  readonly keyword: string;
  readonly message: string;
  readonly expected?: string;
  readonly got?: string;
  /** A "did you mean" suggestion for a misspelt key or event type. */
  readonly hint?: string;
}

/** Options of {@link checkEnvelope} and {@link checkBarePayload}. */
export interface PayloadCheckOptions {
  /** Report event types that no schema claims as warnings instead of errors. Default false. */
  readonly allowUnknown?: boolean;
  /** At most this many findings per payload (the validators run in allErrors mode). Default 20. */
  readonly maxFindingsPerPayload?: number;
  /**
   * Which schema version checks an envelope: `'record'` (default) the `schema_version` it states (our recorder's
   * lines), the latest when it states none; `'latest'`; or that version number for every envelope.
   */
  readonly schemaVersion?: 'record' | 'latest' | number;
  /** Carries an envelope that states an older version forward to the latest before checking (`--upcast`). */
  readonly upcast?: (
    type: string,
    version: number,
    data: unknown,
  ) => { data: unknown; version: number; steps: readonly string[] };
  /** Told the steps each upcast applied, for per-step counts. */
  readonly onUpcast?: (steps: readonly string[]) => void;
}

const NONE: readonly PayloadFinding[] = Object.freeze([]);
const FIXED_TYPES = EVENT_DESCRIPTORS.filter((d) => d.pattern === undefined).map((d) => d.type);
const TEMPLATES = EVENT_DESCRIPTORS.filter((d) => d.pattern !== undefined).map((d) => d.type);

/**
 * Finds the descriptor for a type given on the command line or to the matcher: an exact type (`tool.invoked`), a
 * concrete type matched through a pattern (`stage.llm.completed`) or a template (`stage.{name}.completed`).
 */
export function resolveEventType(type: string): EventDescriptor | undefined {
  return findEventDescriptor(type) ?? EVENT_DESCRIPTORS.find((d) => d.pattern !== undefined && d.type === type);
}

// "did you mean" is an edit-distance scan over every known type or key: a large file repeats a few misspellings
// thousands of times, so each distinct one is computed once (bounded: cleared when full, never wrong, only slower)
const SUGGESTION_CACHE_SIZE = 4096;
const typeSuggestions = new Map<string, string | undefined>();
// per descriptor object, so a custom event registered again with other keys never sees stale suggestions
const keySuggestions = new WeakMap<EventDescriptor, Map<string, string | undefined>>();

function cached(cache: Map<string, string | undefined>, key: string, compute: () => string | undefined) {
  if (cache.has(key)) return cache.get(key);
  if (cache.size >= SUGGESTION_CACHE_SIZE) cache.clear();
  const v = compute();
  cache.set(key, v);
  return v;
}

/** Suggests the known event type nearest to `type` (a template is compared with the input's own stage name filled in). */
export function suggestEventType(type: string): string | undefined {
  // no event type is this long: comparing megabytes of text would cost seconds for no suggestion
  if (type.length > MAX_SUGGESTED_LENGTH) return undefined;
  return cached(typeSuggestions, type, () => computeEventTypeSuggestion(type));
}

function computeEventTypeSuggestion(type: string): string | undefined {
  const parts = type.split('.');
  const middle = parts.length >= 3 ? parts.slice(1, -1).join('.') : undefined;
  const candidates =
    middle === undefined ? FIXED_TYPES : [...FIXED_TYPES, ...TEMPLATES.map((t) => t.replace('{name}', middle))];
  return closestMatch(type, candidates, 2);
}

const MAX_SUGGESTED_LENGTH = 256;
const DESCRIBE_CHARS = 60;

/**
 * Renders a value for a message: JSON, cut to 60 characters. Bounded in time and depth whatever the value: it stops
 * writing after 60 characters, so a value nested 100,000 levels deep or a megabyte string costs no more than a short one.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let out = '';
  // writes until the budget is spent; returns false once it is
  const put = (s: string): boolean => {
    out += s;
    return out.length <= DESCRIBE_CHARS;
  };
  const write = (v: unknown): boolean => {
    if (v === null || typeof v === 'boolean' || typeof v === 'number') return put(String(v));
    if (typeof v === 'string') return put(JSON.stringify(v.length > DESCRIBE_CHARS ? v.slice(0, DESCRIBE_CHARS) : v));
    if (typeof v === 'bigint') return put(`${v}n`);
    if (typeof v !== 'object') return put(String(typeof v));
    if (Array.isArray(v)) {
      if (!put('[')) return false;
      for (let i = 0; i < v.length; i++) {
        if ((i > 0 && !put(',')) || !write(v[i] === undefined ? null : v[i])) return false;
      }
      return put(']');
    }
    if (!put('{')) return false;
    let first = true;
    for (const k of Object.keys(v)) {
      const item = (v as Record<string, unknown>)[k];
      if (item === undefined || typeof item === 'function') continue;
      if (
        (!first && !put(',')) ||
        !put(`${JSON.stringify(k.length > DESCRIBE_CHARS ? k.slice(0, DESCRIBE_CHARS) : k)}:`) ||
        !write(item)
      )
        return false;
      first = false;
    }
    return put('}');
  };
  try {
    write(value);
  } catch {
    // a throwing getter or a revoked proxy: say what we could read
    out += '?';
  }
  return out.length > DESCRIBE_CHARS ? `${out.slice(0, DESCRIBE_CHARS - 3)}...` : out;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function pointerGet(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    // own keys only: '/constructor' or '/__proto__' must not reach the prototype
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Turns one ajv issue into a finding with expected/got and, for an unknown key, the nearest declared key. */
export function issueToFinding(
  issue: ValidationIssue,
  data: unknown,
  eventType: string,
  descriptor: EventDescriptor | undefined,
): PayloadFinding {
  const p = issue.params;
  const at = pointerGet(data, issue.instancePath);
  const base = {
    level: 'error' as const,
    eventType,
    instancePath: clip(issue.instancePath),
    keyword: issue.keyword,
    message: issue.message ?? issue.keyword,
  };
  switch (issue.keyword) {
    case 'required': {
      const key = String(p.missingProperty);
      return {
        ...base,
        instancePath: `${issue.instancePath}/${escapePointer(key)}`,
        expected: `property '${key}'`,
        got: 'nothing',
      };
    }
    case 'additionalProperties': {
      const key = clip(String(p.additionalProperty));
      let near: string | undefined;
      if (issue.instancePath === '' && descriptor !== undefined) {
        let byKey = keySuggestions.get(descriptor);
        if (byKey === undefined) keySuggestions.set(descriptor, (byKey = new Map()));
        near = cached(byKey, key, () => closestMatch(key, descriptor.properties, 2));
      }
      const out = {
        ...base,
        instancePath: clip(`${issue.instancePath}/${escapePointer(key)}`),
        message: `${base.message}: '${key}'`,
        expected: 'no other properties',
        got: `'${key}'`,
      };
      return near === undefined ? out : { ...out, hint: `did you mean '${near}'?` };
    }
    case 'type':
      return { ...base, expected: String(p.type), got: `${typeName(at)} ${describeValue(at)}` };
    case 'format':
      return { ...base, expected: `format ${String(p.format)}`, got: describeValue(at) };
    case 'enum':
      return { ...base, expected: `one of ${describeValue(p.allowedValues)}`, got: describeValue(at) };
    case 'const':
      return { ...base, expected: describeValue(p.allowedValue), got: describeValue(at) };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { ...base, expected: `${String(p.comparison)} ${String(p.limit)}`, got: describeValue(at) };
    case 'pattern':
      return { ...base, expected: `a string matching ${String(p.pattern)}`, got: describeValue(at) };
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems':
      return {
        ...base,
        expected: `${issue.keyword.startsWith('min') ? 'at least' : 'at most'} ${String(p.limit)}`,
        got: describeValue(at),
      };
    default:
      return { ...base, got: describeValue(at) };
  }
}

/** Validates a bare payload (the `data` without its envelope) against one event's precompiled validator. */
export function checkBarePayload(
  data: unknown,
  descriptor: EventDescriptor,
  eventType: string = descriptor.type,
  options: PayloadCheckOptions = {},
): readonly PayloadFinding[] {
  const validate = descriptor.validate;
  if (validate(data)) return NONE;
  const issues = validate.errors ?? [];
  const max = options.maxFindingsPerPayload ?? 20;
  const out: PayloadFinding[] = [];
  for (let i = 0; i < issues.length && i < max; i++)
    out.push(issueToFinding(issues[i] as ValidationIssue, data, eventType, descriptor));
  if (issues.length > max)
    out.push({
      level: 'error',
      eventType,
      instancePath: '',
      keyword: 'truncated',
      message: `${issues.length - max} more issues not shown (limit ${max} per payload)`,
    });
  if (out.length === 0)
    out.push({ level: 'error', eventType, instancePath: '', keyword: 'schema', message: 'does not match its schema' });
  return out;
}

/** Validates one `{type, data}` envelope: the type must be claimed by a schema (unless allowed) and `data` must match it. */
export function checkEnvelope(value: unknown, options: PayloadCheckOptions = {}): readonly PayloadFinding[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return [
      {
        level: 'error',
        eventType: null,
        instancePath: '',
        keyword: 'envelope',
        message: `expected an object {"type", "data"}, got ${typeName(value)}`,
        expected: 'object',
        got: typeName(value),
      },
    ];
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') {
    return [
      {
        level: 'error',
        eventType: null,
        instancePath: '',
        keyword: 'envelope',
        message: type === undefined ? "the envelope has no 'type'" : "the envelope's 'type' is not a string",
        expected: "a string 'type'",
        got: describeValue(type),
      },
    ];
  }
  const descriptor = findEventDescriptor(type);
  if (descriptor === undefined) {
    const near = suggestEventType(type);
    const shown = clip(type);
    const finding: PayloadFinding = {
      level: options.allowUnknown === true ? 'warning' : 'error',
      eventType: shown,
      instancePath: '',
      keyword: 'unknown-type',
      message: `no schema claims event type '${shown}'`,
    };
    return [near === undefined ? finding : { ...finding, hint: `did you mean '${near}'?` }];
  }
  if (!('data' in value)) {
    return [
      {
        level: 'error',
        eventType: type,
        instancePath: '',
        keyword: 'envelope',
        message: "the envelope has no 'data'",
        expected: "a 'data' payload",
        got: 'nothing',
      },
    ];
  }
  let data = (value as { data: unknown }).data;
  const stated = (value as { schema_version?: unknown }).schema_version;
  let version = typeof stated === 'number' ? stated : undefined;
  if (options.upcast !== undefined && version !== undefined && version < descriptor.version) {
    try {
      const r = options.upcast(type, version, data);
      data = r.data;
      version = r.version;
      options.onUpcast?.(r.steps);
    } catch (e) {
      return [
        {
          level: 'error',
          eventType: type,
          instancePath: '',
          keyword: 'upcast',
          message: `the upcaster from v${version} failed: ${clip(e instanceof Error ? e.message : String(e))}`,
        },
      ];
    }
  }
  const mode = options.schemaVersion ?? 'record';
  const want = mode === 'latest' ? undefined : mode === 'record' ? version : mode;
  const chosen =
    want === undefined || want === descriptor.version ? descriptor : findEventDescriptorVersion(type, want);
  if (chosen === undefined)
    return [
      {
        level: 'error',
        eventType: type,
        instancePath: '',
        keyword: 'schema-version',
        message: `no schema of version ${String(want)} for event type '${clip(type)}' (the latest is ${descriptor.version})`,
      },
    ];
  return checkBarePayload(data, chosen, type, options);
}

/** Formats a finding for people: `error: type /pointer: message (expected X, got Y); did you mean 'z'? [keyword]`. */
export function formatPayloadFinding(f: PayloadFinding): string {
  const subject = [f.eventType ?? '', f.instancePath].filter((s) => s !== '').join(' ');
  const detail =
    f.expected !== undefined || f.got !== undefined ? ` (expected ${f.expected ?? '?'}, got ${f.got ?? '?'})` : '';
  const hint = f.hint !== undefined ? `; ${f.hint}` : '';
  return `${f.level}: ${subject === '' ? '' : `${subject}: `}${f.message}${detail}${hint} [${f.keyword}]`;
}
