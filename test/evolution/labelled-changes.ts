// the labelled set of schema changes: each one edits a copy of the repository's schemas and states the truth about
// the event types it reaches. The diff tests and the bench (json-schema-diff side by side) both read it.
import { loadSchemas } from '../../codegen/load.js';
import { repoRoot } from '../helpers/schemas.js';

type Json = any;
export type Schemas = Map<string, Json>;

/** The truth about one event type after a change: does every old payload stay valid, every new one pass the old contract? */
export interface Expected {
  readonly eventType: string;
  readonly change: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly backward: boolean;
  readonly forward: boolean;
  /** Directions the analysis may leave undecided (null) instead of the truth: a pair of keywords it does not decide. */
  readonly mayBeUndecided?: readonly ('backward' | 'forward')[];
}

export interface LabelledChange {
  /** The kind of change, as the issue lists them. */
  readonly kind: string;
  readonly edit: (schemas: Schemas) => void;
  /** The event types this change reaches (at least one is named; `reaches` counts them all when a shared definition changed). */
  readonly expect: readonly Expected[];
  /** How many event types the change reaches in total (for shared-definition edits). */
  readonly reaches?: number;
}

/** The repository's schemas, parsed, keyed by path below schemas/. */
export function repoSchemas(): Schemas {
  return new Map(loadSchemas(`${repoRoot}schemas`).map((s) => [s.file, structuredClone(s.json) as Json]));
}

const at =
  (file: string, fn: (schema: Json) => void) =>
  (s: Schemas): void => {
    const schema = s.get(file);
    if (schema === undefined) throw new Error(`no ${file}`);
    fn(schema);
  };

const TOOL = 'tool/tool.invoked.v1.json';
const CHUNK = 'stream/stream.chunk_dropped.v1.json';
const TRUNC = 'context/context.truncation.v1.json';
const DECIDED = 'approval/approval.decided.v1.json';
const STAGE = 'stage/stage.{name}.started.v1.json';
const PROVIDER = 'provider/provider.call.completed.v1.json';
const GUARD = 'guardrail/guardrail.violations_detected.v1.json';
const without = (list: string[], key: string): string[] => list.filter((k) => k !== key);

const changed = (eventType: string, backward: boolean, forward: boolean, extra: Partial<Expected> = {}): Expected => ({
  eventType,
  change: 'changed',
  backward,
  forward,
  ...extra,
});
const unchanged = (eventType: string): Expected => ({ eventType, change: 'unchanged', backward: true, forward: true });

export const LABELLED_CHANGES: readonly LabelledChange[] = [
  {
    kind: 'add an optional property to a closed payload',
    edit: at(TOOL, (j) => {
      j.properties.note = { type: 'string', description: 'A note.' };
    }),
    expect: [changed('tool.invoked', true, false)],
  },
  {
    kind: 'add a required property',
    edit: at(TOOL, (j) => {
      j.properties.note = { type: 'string', description: 'A note.' };
      j.required.push('note');
    }),
    expect: [changed('tool.invoked', false, false)],
  },
  {
    kind: 'remove an optional property from a closed payload',
    edit: at(CHUNK, (j) => {
      delete j.properties.channel;
    }),
    expect: [changed('stream.chunk_dropped', false, true)],
  },
  {
    kind: 'remove a required property',
    edit: at(TOOL, (j) => {
      delete j.properties.tool_name;
      j.required = without(j.required, 'tool_name');
    }),
    expect: [changed('tool.invoked', false, false)],
  },
  {
    kind: 'rename a property',
    edit: at(TOOL, (j) => {
      j.properties.tool = j.properties.tool_name;
      delete j.properties.tool_name;
      j.required = [...without(j.required, 'tool_name'), 'tool'];
    }),
    expect: [changed('tool.invoked', false, false)],
  },
  {
    kind: 'required to optional',
    edit: at(TOOL, (j) => {
      j.required = without(j.required, 'tool_name');
    }),
    expect: [changed('tool.invoked', true, false)],
  },
  {
    kind: 'optional to required',
    edit: at(CHUNK, (j) => {
      j.required.push('channel');
    }),
    expect: [changed('stream.chunk_dropped', false, true)],
  },
  {
    kind: 'widen a type (string to string or null)',
    edit: at(TOOL, (j) => {
      j.properties.tool_name.type = ['string', 'null'];
    }),
    expect: [changed('tool.invoked', true, false)],
  },
  {
    kind: 'narrow a type (string or null to string)',
    edit: at(TOOL, (j) => {
      j.properties.behavior = { type: 'string', description: 'The mode.' };
    }),
    expect: [changed('tool.invoked', false, true)],
  },
  {
    kind: 'integer to number',
    edit: at(CHUNK, (j) => {
      j.properties.max_size.type = 'number';
    }),
    expect: [changed('stream.chunk_dropped', true, false)],
  },
  {
    kind: 'number to integer',
    edit: at(TRUNC, (j) => {
      j.properties.preserved_ratio.type = 'integer';
    }),
    expect: [changed('context.truncation', false, true)],
  },
  {
    kind: 'add a value to an enum',
    edit: at(DECIDED, (j) => {
      j.properties.decision.enum.push('expired');
    }),
    expect: [changed('approval.decided', true, false)],
  },
  {
    kind: 'remove a value from an enum',
    edit: at(CHUNK, (j) => {
      j.properties.reason.enum = ['overflow'];
    }),
    expect: [changed('stream.chunk_dropped', false, true)],
  },
  {
    kind: 'replace an enum value',
    edit: at(DECIDED, (j) => {
      j.properties.decision.enum = ['approved', 'rejected'];
    }),
    expect: [changed('approval.decided', false, false)],
  },
  {
    kind: 'raise a minimum',
    edit: at(CHUNK, (j) => {
      j.properties.max_size.minimum = 2;
    }),
    expect: [changed('stream.chunk_dropped', false, true)],
  },
  {
    kind: 'widen a maximum',
    edit: at(TRUNC, (j) => {
      j.properties.preserved_ratio.maximum = 2;
    }),
    expect: [changed('context.truncation', true, false)],
  },
  {
    kind: 'add a maxLength',
    edit: at(TOOL, (j) => {
      j.properties.tool_name.maxLength = 8;
    }),
    expect: [changed('tool.invoked', false, true)],
  },
  {
    kind: 'add a format',
    edit: at(TOOL, (j) => {
      j.properties.tool_name.format = 'uuid';
    }),
    expect: [changed('tool.invoked', false, true)],
  },
  {
    kind: 'drop a format (inline a uuid without it)',
    edit: at(DECIDED, (j) => {
      j.properties.action_id = { type: 'string', description: 'Any string now.' };
    }),
    expect: [changed('approval.decided', true, false)],
  },
  {
    kind: 'change a const',
    edit: at(PROVIDER, (j) => {
      j.properties.success.const = false;
    }),
    expect: [changed('provider.call.completed', false, false)],
  },
  {
    kind: 'const to an enum holding it',
    edit: at(PROVIDER, (j) => {
      j.properties.success = { enum: [true, false], description: 'Either.' };
    }),
    expect: [changed('provider.call.completed', true, false)],
  },
  {
    kind: 'close a nested object',
    edit: at(TOOL, (j) => {
      j.properties.payload_summary.additionalProperties = false;
    }),
    expect: [changed('tool.invoked', false, true)],
  },
  {
    kind: 'open a nested object',
    edit: at(PROVIDER, (j) => {
      j.properties.usage.additionalProperties = true;
    }),
    expect: [changed('provider.call.completed', true, false)],
  },
  {
    kind: 'edit a shared $defs (NonNegativeInt minimum 0 to 1)',
    edit: at('common/defs.v1.json', (j) => {
      j.$defs.NonNegativeInt.minimum = 1;
    }),
    expect: [changed('stream.chunk_dropped', false, true), changed('context.truncation', false, true)],
  },
  {
    kind: 'edit a shared $defs (DurationMsInt drops its minimum)',
    edit: at('common/defs.v1.json', (j) => {
      delete j.$defs.DurationMsInt.minimum;
    }),
    expect: [changed('provider.call.completed', true, false), changed('stage.completed', true, false)],
  },
  {
    kind: 'remove an event type',
    edit: (s) => {
      s.delete('tool/tool.undone.v1.json');
    },
    expect: [{ eventType: 'tool.undone', change: 'removed', backward: false, forward: true }],
  },
  {
    kind: 'add an event type (a new major version beside v1)',
    edit: (s) => {
      const v2 = structuredClone(s.get(TOOL));
      v2.$id = v2.$id.replace('.v1.json', '.v2.json');
      v2['x-version'] = 2;
      s.set('tool/tool.invoked.v2.json', v2);
    },
    expect: [{ eventType: 'tool.invoked', change: 'added', backward: true, forward: false }],
  },
  {
    kind: 'give a free key of an open payload a type',
    edit: at(STAGE, (j) => {
      j.properties.attempt = { type: 'integer', description: 'The attempt.' };
    }),
    expect: [changed('stage.{name}.started', false, true)],
  },
  {
    kind: 'close an open payload',
    edit: at(STAGE, (j) => {
      j.additionalProperties = false;
    }),
    expect: [changed('stage.{name}.started', false, true)],
  },
  {
    kind: 'add minItems to an array',
    edit: at(GUARD, (j) => {
      j.properties.violations.minItems = 2;
    }),
    expect: [changed('guardrail.violations_detected', false, true)],
  },
  {
    kind: 'two different patterns (not decided by the analysis)',
    edit: at('common/defs.v1.json', (j) => {
      j.$defs.StageName.pattern = '^[^,]+$';
    }),
    expect: [changed('stage.{name}.started', false, false, { mayBeUndecided: ['backward', 'forward'] })],
  },
  {
    kind: 'equivalent: descriptions, examples and key order',
    edit: at(TOOL, (j) => {
      j.description = 'Reworded.';
      j.properties.tool_name = { type: 'string', description: 'Reworded too.' };
      j.examples = [...j.examples, ...j.examples];
      j.required = [...j.required].reverse();
    }),
    expect: [unchanged('tool.invoked')],
  },
  {
    kind: 'equivalent: enum order',
    edit: at(CHUNK, (j) => {
      j.properties.reason.enum.reverse();
    }),
    expect: [unchanged('stream.chunk_dropped')],
  },
  {
    kind: 'equivalent: a $ref replaced by its own content',
    edit: at(DECIDED, (j) => {
      j.properties.action_id = { type: 'string', format: 'uuid', description: 'Inlined.' };
    }),
    expect: [unchanged('approval.decided')],
  },
  {
    kind: 'equivalent: integer minimum 0 written as exclusiveMinimum -1',
    edit: at(CHUNK, (j) => {
      j.properties.queue_size = { type: 'integer', exclusiveMinimum: -1, description: 'Same set.' };
    }),
    expect: [unchanged('stream.chunk_dropped')],
  },
  {
    kind: 'equivalent: anyOf of string and a narrower string',
    edit: at(TOOL, (j) => {
      j.properties.tool_name = { anyOf: [{ type: 'string' }, { type: 'string', maxLength: 5 }] };
    }),
    expect: [unchanged('tool.invoked')],
  },
];
