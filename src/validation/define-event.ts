import { FormatRegistry, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, ValueErrorType } from '@sinclair/typebox/compiler';
import { emitEvent, type EmitOptions } from '../runtime/emit.js';
import { formats } from '../runtime/formats.js';
import type { EventDescriptor, ValidateFunction, ValidationIssue } from '../runtime/types.js';
import { registerCustomEventDescriptor } from './custom-event-registry.js';

/** Options of {@link defineEvent}. */
export interface DefineEventOptions {
  /** The family whose validation rules apply. Default: the type's first dot segment (`custom` for `custom.processing_started`). */
  readonly family?: string;
  /** The schema version recorded in snapshots. Default 1. */
  readonly version?: number;
  /** The schema id recorded in snapshots. Default `custom:<type>.v<version>`. */
  readonly schemaId?: string;
}

/** The typed emitter {@link defineEvent} returns, with the descriptor and validator it uses. */
export interface CustomEventEmitter<D> {
  (data: D, options?: EmitOptions): void;
  /** The event type string. */
  readonly type: string;
  /** The descriptor the emit-time policy validates with. */
  readonly descriptor: EventDescriptor<D>;
  /** The compiled validator (TypeBox `TypeCompiler`), leaving ajv-shaped issues on `errors`. */
  readonly validate: ValidateFunction<D>;
}

const TYPE_RE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

function registerFormats(): void {
  // TypeBox fails closed on unknown formats: give it the same format functions as the generated validators
  for (const [name, check] of Object.entries(formats)) if (!FormatRegistry.Has(name)) FormatRegistry.Set(name, check);
}

function topLevelKeys(schema: TSchema): { properties: string[]; required: string[]; open: boolean } {
  const s = schema as { properties?: Record<string, unknown>; required?: string[]; additionalProperties?: unknown };
  return {
    properties: Object.keys(s.properties ?? {}),
    required: [...(s.required ?? [])],
    open: s.additionalProperties !== false,
  };
}

/**
 * Registers a custom event type at run time from a TypeBox schema of its `data`, without codegen, and returns a typed
 * emitter that validates under the same emit-time policy as generated events ({@link configureValidation}).
 */
export function defineEvent<S extends TSchema>(
  type: string,
  schema: S,
  options: DefineEventOptions = {},
): CustomEventEmitter<Static<S>> {
  if (!TYPE_RE.test(type))
    throw new TypeError(
      `defineEvent: event type '${type}' is not dot.case (expected e.g. 'custom.processing_started')`,
    );
  registerFormats();
  const compiled = TypeCompiler.Compile(schema);
  const validate = ((data: unknown): boolean => {
    if (compiled.Check(data)) {
      validate.errors = null;
      return true;
    }
    const issues: ValidationIssue[] = [];
    for (const e of compiled.Errors(data)) {
      issues.push({
        instancePath: e.path,
        schemaPath: '',
        keyword: ValueErrorType[e.type] ?? String(e.type),
        params: {},
        message: e.message,
        eventType: type,
      });
    }
    validate.errors = issues;
    return false;
  }) as ValidateFunction<Static<S>>;
  const version = options.version ?? 1;
  const keys = topLevelKeys(schema);
  const descriptor: EventDescriptor<Static<S>> = {
    type,
    pattern: undefined,
    family: options.family ?? type.slice(0, type.indexOf('.')),
    version,
    schemaId: options.schemaId ?? `custom:${type}.v${version}`,
    schemaPath: '',
    title: (schema as { title?: string }).title ?? type,
    properties: keys.properties,
    required: keys.required,
    open: keys.open,
    validate,
  };
  registerCustomEventDescriptor(descriptor as EventDescriptor);
  const emitter = ((data: Static<S>, emitOptions?: EmitOptions): void =>
    emitEvent(type, data, descriptor as EventDescriptor, emitOptions)) as CustomEventEmitter<Static<S>>;
  Object.defineProperties(emitter, {
    type: { value: type },
    descriptor: { value: descriptor },
    validate: { value: validate },
  });
  return emitter;
}
