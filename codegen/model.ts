// phase 3: all naming and JSON-type to TS-type mapping; templates only loop and branch over this model
import { SchemaError } from '../src/errors.js';
import type { ResolvedEvent, ResolvedSet, ResolvedSharedType } from './resolve.js';
import {
  isAnnotationKeyword,
  isDataKeyword,
  isNonTypeKeyword,
  SUBSCHEMA_MAP_KEYWORDS,
  undescribedFields,
} from './schema-rules.js';

/** Every name generated for one event, all derived from its type string by {@link deriveNames}. */
export interface EventNames {
  /** `ToolInvoked`: the envelope interface `{ type; data }`. */
  readonly envelope: string;
  /** `ToolInvokedData`: the payload type. */
  readonly data: string;
  /** `ToolInvokedInput`: what the emitter accepts (`timestamp` optional). */
  readonly input: string;
  readonly validate: string;
  readonly emit: string;
  /** `EVENT_TOOL_INVOKED`: the type string (or template) constant. */
  readonly constant: string;
  /** `TOOL_INVOKED_DESCRIPTOR`. */
  readonly descriptor: string;
  /** `onToolInvoked`: the handler name in sink stubs. */
  readonly handler: string;
  /** `tool-invoked`: the folder below `generated/<family>/`. */
  readonly slug: string;
}

/** One row of the catalogue: a top-level payload field. */
export interface FieldModel {
  readonly name: string;
  readonly typeLabel: string;
  readonly presence: 'always' | 'always, nullable' | 'optional' | 'optional, nullable';
  readonly description: string;
}

/** Everything the render phase needs about one event. */
export interface EventModel {
  readonly type: string;
  readonly pattern: string | undefined;
  /** For a pattern type: the placeholder name (`name`) and the TS template literal type (`stage.${string}.started`). */
  readonly placeholder: string | undefined;
  readonly typeLiteral: string;
  /** JS expression building the type string inside the emitter (a string literal or a template literal). */
  readonly typeExpression: string;
  readonly family: string;
  readonly version: number;
  readonly title: string;
  readonly description: string;
  readonly schemaId: string;
  /** `schemas/tool/tool.invoked.v1.json`. */
  readonly schemaPath: string;
  /** Path below `schemas/`. */
  readonly schemaFile: string;
  readonly names: EventNames;
  /** Output folder below the generated root: `tool/tool-invoked`. */
  readonly dir: string;
  /** `../../../src/runtime/index.js` or a package specifier: how generated code reaches the runtime. */
  readonly runtimeImport: string;
  readonly hasTimestamp: boolean;
  readonly open: boolean;
  readonly required: readonly string[];
  readonly properties: readonly string[];
  readonly fields: readonly FieldModel[];
  readonly examples: readonly string[];
  readonly dereferenced: Record<string, unknown>;
  /** The payload schema as the type compiler reads it: see {@link typesSchema}. */
  readonly typesSchema: Record<string, unknown>;
  /** What the payload schema asserts, for `validate`'s byte scanner: see {@link scanPlan}. */
  readonly scanPlan: Record<string, unknown>;
  /** True for the newest version of its type (the one emitters emit and the unversioned names stand for). */
  readonly latest: boolean;
  /**
   * The version-suffixed names (`ToolInvokedV2`, `ToolInvokedDataV2`, `validateToolInvokedV2`,
   * `TOOL_INVOKED_V2_DESCRIPTOR`) when the type has more than one version; for an older version they are its only names.
   */
  readonly versioned: VersionedNames | undefined;
}

/** The version-suffixed names of one version of a type that has several. */
export interface VersionedNames {
  readonly envelope: string;
  readonly data: string;
  readonly validate: string;
  readonly descriptor: string;
  /** `tool-invoked-v1`: an older version's folder name (the latest keeps the unversioned folder). */
  readonly slug: string;
}

/** One upcast step `vN -> vN+1` of a type: the author's function lives in `upcasters/<type>.v<N>-to-v<N+1>.ts`. */
export interface UpcastStep {
  readonly type: string;
  readonly from: EventModel;
  readonly to: EventModel;
  /** `tool.invoked.v1-to-v2.ts`, below the upcasters folder. */
  readonly file: string;
}

/** One field of a shared type, in both spellings. */
export interface SharedFieldModel {
  /** `pipeline_run_id`: the key as payloads carry it. */
  readonly snake: string;
  /** `pipelineRunId`: the key as options and identities carry it. */
  readonly camel: string;
  readonly tsType: string;
  readonly required: boolean;
  readonly description: string;
}

/** A shared type (`schemas/common/<name>.vN.json` with `type: 'object'`): its names and fields. */
export interface SharedTypeModel {
  /** `CorrelationKeys`: the payload-spelling interface (the schema's title). */
  readonly name: string;
  /** `CorrelationKeysCamelCase`: the same keys in camelCase. */
  readonly camelName: string;
  /** `CORRELATION_KEYS`: the list of fields. */
  readonly constant: string;
  /** Output path below the generated root: `common/correlation-keys.ts`. */
  readonly path: string;
  readonly schemaPath: string;
  readonly description: string;
  readonly fields: readonly SharedFieldModel[];
}

/** The whole model: events sorted by type, plus families for grouping. */
export interface Model {
  /** The newest version of every type: what emitters, the event map, sink stubs and the catalogue cover. */
  readonly events: readonly EventModel[];
  /** The shared types, sorted by schema path. */
  readonly sharedTypes: readonly SharedTypeModel[];
  /** Older versions of types that have several, sorted by type then version: types, validators and descriptors only. */
  readonly olderVersions: readonly EventModel[];
  /** Every upcast step between consecutive versions, sorted by type then version. */
  readonly upcastSteps: readonly UpcastStep[];
  readonly families: readonly { readonly name: string; readonly events: readonly EventModel[] }[];
  readonly runtimeImportFromRoot: string;
}

const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await any unknown never object string number boolean symbol undefined'.split(
    ' ',
  ),
);

function words(type: string): string[] {
  return type.split(/[._{}-]+/).filter((w) => w !== '');
}

function pascal(ws: readonly string[]): string {
  return ws.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

/** The one namer: derives every generated identifier from an event type string; rejects reserved words. */
export function deriveNames(type: string): EventNames {
  const ws = words(type);
  const base = pascal(ws);
  if (!/^[A-Z][A-Za-z0-9]*$/.test(base)) throw new Error(`cannot derive an identifier from '${type}'`);
  for (const w of ws)
    if (RESERVED.has(w) && ws.length === 1) throw new Error(`'${type}' gives the reserved word '${w}'`);
  const upper = ws.map((w) => w.toUpperCase()).join('_');
  return {
    envelope: base,
    data: `${base}Data`,
    input: `${base}Input`,
    validate: `validate${base}`,
    emit: `emit${base}`,
    constant: `EVENT_${upper}`,
    descriptor: `${upper}_DESCRIPTOR`,
    handler: `on${base}`,
    slug: ws.map((w) => w.toLowerCase().replace(/_/g, '-')).join('-'),
  };
}

function typeLabel(node: unknown): string {
  if (node === null || typeof node !== 'object') return 'any';
  const n = node as Record<string, unknown>;
  if ('const' in n) return JSON.stringify(n.const);
  if (Array.isArray(n.enum)) return n.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  const t = Array.isArray(n.type)
    ? (n.type as string[]).filter((x) => x !== 'null')
    : n.type === undefined
      ? []
      : [n.type as string];
  const parts = t.map((x) => {
    if (x === 'array')
      return `${typeLabel(n.items ?? (Array.isArray(n.prefixItems) ? { type: 'tuple' } : {}))}[]`.replace(
        /^tuple\[\]$/,
        'tuple',
      );
    if (x === 'string' && typeof n.format === 'string') return `string (${n.format})`;
    return x;
  });
  if (Array.isArray(n.anyOf) || Array.isArray(n.oneOf))
    parts.push(...((n.anyOf ?? n.oneOf) as unknown[]).map(typeLabel));
  return parts.length ? parts.join(' \\| ') : 'any';
}

function isNullable(node: unknown): boolean {
  if (node === null || typeof node !== 'object') return false;
  const n = node as Record<string, unknown>;
  return (
    (Array.isArray(n.type) && n.type.includes('null')) ||
    n.type === 'null' ||
    (Array.isArray(n.anyOf) && n.anyOf.some(isNullable))
  );
}

function oneLine(s: unknown): string {
  return String(s ?? '')
    .replace(/\s+/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
}

function tsTypeOf(node: Record<string, unknown> | undefined): string {
  const scalar: Record<string, string> = {
    string: 'string',
    number: 'number',
    integer: 'number',
    boolean: 'boolean',
    null: 'null',
  };
  const t = node?.type;
  const types = Array.isArray(t) ? t : t === undefined ? [] : [t];
  const mapped = types.map((x) => scalar[String(x)]);
  return mapped.length === 0 || mapped.includes(undefined) ? 'unknown' : mapped.join(' | ');
}

function camelCase(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** Builds the model of one shared type; its title is its type name. */
function sharedTypeModel(t: ResolvedSharedType): SharedTypeModel {
  const d = t.dereferenced;
  const name = String(t.source.json.title);
  if (!/^[A-Z][A-Za-z0-9]*$/.test(name))
    throw new SchemaError(t.source.displayPath, '/title', `expected a PascalCase type name, got '${name}'`);
  const [undescribed] = undescribedFields(d);
  if (undescribed) throw new SchemaError(t.source.displayPath, undescribed.pointer, undescribed.message);
  const props = (d.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = (d.required ?? []) as string[];
  const base =
    t.source.file
      .split('/')
      .pop()
      ?.replace(/\.v\d+\.json$/, '') ?? name;
  return {
    name,
    camelName: `${name}CamelCase`,
    constant: name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase(),
    path: `${t.source.file.split('/').slice(0, -1).join('/')}/${base}.ts`,
    schemaPath: t.source.displayPath,
    description: oneLine(t.source.json.description).replace(/\\\|/g, '|'),
    fields: Object.keys(props).map((snake) => ({
      snake,
      camel: camelCase(snake),
      tsType: tsTypeOf(props[snake]),
      required: required.includes(snake),
      description: oneLine(props[snake]?.description).replace(/\\\|/g, '|'),
    })),
  };
}

/**
 * Copies a schema without the keywords `drop` names. It descends only into subschemas: never into data keywords
 * (`enum`, `const`, `examples`, `default`), and into the values, not the names, of `properties` and the other maps of
 * names to subschemas (a property called `title` stays). `each` may rewrite every copied node.
 */
function stripKeywords(
  node: unknown,
  drop: (keyword: string) => boolean,
  each: (out: Record<string, unknown>) => void = () => undefined,
): unknown {
  const strip = (n: unknown): unknown => {
    if (Array.isArray(n)) return n.map(strip);
    if (n === null || typeof n !== 'object') return n;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(n)) {
      if (drop(k)) continue;
      if (isDataKeyword(k)) out[k] = v;
      else if (SUBSCHEMA_MAP_KEYWORDS.has(k) && v !== null && typeof v === 'object' && !Array.isArray(v))
        out[k] = Object.fromEntries(Object.entries(v).map(([name, sub]) => [name, strip(sub)]));
      else out[k] = strip(v);
    }
    each(out);
    return out;
  };
  return strip(node);
}

/**
 * The payload schema as json-schema-to-typescript reads it: without the keywords that say nothing about the type
 * (vendor keywords, `$id`, `$schema`, examples, titles), and with 2020-12 tuples in the draft-07 form that compiler
 * understands: `prefixItems` + `items` become `items: [...]` + `additionalItems` (else `items: false` would type the
 * tuple as `never[]`).
 */
export function typesSchema(dereferenced: Record<string, unknown>): Record<string, unknown> {
  return stripKeywords(dereferenced, isNonTypeKeyword, (out) => {
    if (Array.isArray(out.prefixItems)) {
      const rest = out.items;
      out.items = out.prefixItems;
      delete out.prefixItems;
      if (rest === undefined) delete out.additionalItems;
      else out.additionalItems = rest;
    }
  }) as Record<string, unknown>;
}

/**
 * The payload schema as `validate`'s byte scanner reads it (`generated/scan-plans.ts`): every `$ref` inlined and every
 * annotation dropped (see {@link isAnnotationKeyword}), so what is left is only what decides validity.
 */
export function scanPlan(dereferenced: Record<string, unknown>): Record<string, unknown> {
  return stripKeywords(dereferenced, isAnnotationKeyword) as Record<string, unknown>;
}

/** Phase 3: builds the model. `runtimeImport(dir)` says how a file in `generated/<dir>/` imports the runtime. */
export function buildModel(set: ResolvedSet, runtimeImport: (depth: number) => string): Model {
  const taken = new Map<string, string>();
  const newest = new Map<string, number>();
  const count = new Map<string, number>();
  for (const e of set.events) {
    newest.set(e.type, Math.max(newest.get(e.type) ?? 0, e.version));
    count.set(e.type, (count.get(e.type) ?? 0) + 1);
  }
  const all = [...set.events]
    .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : a.version - b.version))
    .map((e: ResolvedEvent): EventModel => {
      let names: EventNames;
      try {
        names = deriveNames(e.type);
      } catch (err) {
        throw new SchemaError(e.source.displayPath, '/x-event-type', (err as Error).message);
      }
      const latest = newest.get(e.type) === e.version;
      const versioned: VersionedNames | undefined =
        (count.get(e.type) ?? 1) > 1
          ? {
              envelope: `${names.envelope}V${e.version}`,
              data: `${names.data}V${e.version}`,
              validate: `${names.validate}V${e.version}`,
              descriptor: names.descriptor.replace(/_DESCRIPTOR$/, `_V${e.version}_DESCRIPTOR`),
              slug: `${names.slug}-v${e.version}`,
            }
          : undefined;
      const own = latest
        ? [...Object.values(names), ...(versioned ? Object.values(versioned).slice(0, 4) : [])]
        : Object.values(versioned ?? {});
      for (const name of own) {
        const other = taken.get(name);
        if (other !== undefined)
          throw new SchemaError(
            e.source.displayPath,
            '/x-event-type',
            `the generated name '${name}' collides with the one from ${other}`,
          );
        taken.set(name, e.source.displayPath);
      }
      const j = e.source.json;
      if (j.title !== names.envelope)
        throw new SchemaError(
          e.source.displayPath,
          '/title',
          `expected '${names.envelope}' (derived from the event type '${e.type}'), got '${String(j.title)}'`,
        );
      const d = e.dereferenced;
      const props = (d.properties ?? {}) as Record<string, Record<string, unknown>>;
      const required = ((d.required ?? []) as string[]).slice();
      const placeholder = e.pattern ? /\{([a-z_]+)\}/.exec(e.type)?.[1] : undefined;
      const fields = Object.keys(props).map((name): FieldModel => {
        const p = props[name];
        const nullable = isNullable(p);
        const req = required.includes(name);
        return {
          name,
          typeLabel: typeLabel(p),
          presence: req ? (nullable ? 'always, nullable' : 'always') : nullable ? 'optional, nullable' : 'optional',
          description: oneLine(p?.description),
        };
      });
      const [undescribed] = undescribedFields(d);
      if (undescribed) throw new SchemaError(e.source.displayPath, undescribed.pointer, undescribed.message);
      return {
        type: e.type,
        pattern: e.pattern,
        placeholder,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: writes a TypeScript template literal type into generated code
        typeLiteral: placeholder ? `\`${e.type.replace(`{${placeholder}}`, '${string}')}\`` : `'${e.type}'`,
        typeExpression: placeholder ? `\`${e.type.replace(`{${placeholder}}`, `\${${placeholder}}`)}\`` : `'${e.type}'`,
        family: e.family,
        version: e.version,
        title: names.envelope,
        description: oneLine(j.description).replace(/\\\|/g, '|'),
        schemaId: e.id,
        schemaPath: e.source.displayPath,
        schemaFile: e.source.file,
        names,
        dir: `${e.family}/${latest ? names.slug : (versioned as VersionedNames).slug}`,
        runtimeImport: runtimeImport(2),
        hasTimestamp: 'timestamp' in props,
        open: d.additionalProperties !== false,
        required,
        properties: Object.keys(props),
        fields,
        examples: ((j.examples ?? []) as unknown[]).map((x) => JSON.stringify(x, null, 2)),
        dereferenced: d,
        typesSchema: typesSchema(d),
        scanPlan: scanPlan(d),
        latest,
        versioned,
      };
    });
  const events = all.filter((e) => e.latest);
  const olderVersions = all.filter((e) => !e.latest);
  const upcastSteps: UpcastStep[] = [];
  for (let i = 1; i < all.length; i++) {
    const from = all[i - 1] as EventModel;
    const to = all[i] as EventModel;
    if (from.type !== to.type) continue;
    if (to.version !== from.version + 1)
      throw new SchemaError(
        to.schemaPath,
        '/x-version',
        `expected version ${from.version + 1} after ${from.schemaPath} (versions of a type are consecutive)`,
      );
    upcastSteps.push({ type: to.type, from, to, file: `${to.type}.v${from.version}-to-v${to.version}.ts` });
  }
  const familyNames = [...new Set(events.map((e) => e.family))].sort();
  return {
    events,
    sharedTypes: [...set.sharedTypes]
      .sort((a, b) => (a.source.file < b.source.file ? -1 : a.source.file > b.source.file ? 1 : 0))
      .map(sharedTypeModel),
    olderVersions,
    upcastSteps,
    families: familyNames.map((name) => ({ name, events: events.filter((e) => e.family === name) })),
    runtimeImportFromRoot: runtimeImport(0),
  };
}
