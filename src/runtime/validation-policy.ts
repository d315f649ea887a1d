import type { EventDescriptor, EventSink, ValidationIssue } from './types.js';
import { ValidationError } from '../errors.js';

/** What happens to an event that fails validation at emit time. */
export type ValidationMode = 'off' | 'warn' | 'throw' | 'drop' | 'quarantine';

/** A mode plus the share of events (0..1) that are validated at all. */
export interface ValidationRule {
  readonly mode: ValidationMode;
  /** Share of events validated, from 0 to 1. Default 1 (every event). */
  readonly sampleRate?: number;
}

/** The minimal logger the `warn` mode writes to (pino's and console's `warn` both fit). */
export interface WarnLogger {
  warn(obj: object, msg: string): void;
}

/** Options of {@link configureValidation}. */
export interface ValidationPolicyOptions {
  /** The rule for events without a more specific one. Default `'warn'`. */
  readonly default?: ValidationMode | ValidationRule;
  /** Rules per family (`tool`, `stage`, ...), over the default. */
  readonly families?: Readonly<Record<string, ValidationMode | ValidationRule>>;
  /** Rules per exact type string or template (`stage.{name}.started`), over the family. */
  readonly types?: Readonly<Record<string, ValidationMode | ValidationRule>>;
  /** What to do with an event type no schema claims. Default `'warn'`. `'throw'` and `'drop'` refuse it; `'quarantine'` dead-letters it. */
  readonly unknown?: ValidationMode;
  /** Where `quarantine` sends `{type: 'x-dead-letter', data: {event, issues}}`; required for that mode. */
  readonly deadLetter?: EventSink;
  /** `warn` logs at most once per event type per interval. Default 60000 ms. */
  readonly warnIntervalMs?: number;
  /** The `warn` target. Default: `console`. */
  readonly logger?: WarnLogger;
}

interface Resolved {
  readonly options: ValidationPolicyOptions;
  readonly defaultRule: ValidationRule;
  readonly unknownMode: ValidationMode;
  readonly warnIntervalMs: number;
  readonly logger: WarnLogger;
  readonly cache: Map<string, ValidationRule>;
  readonly lastWarn: Map<string, number>;
  readonly suppressed: Map<string, number>;
}

function rule(r: ValidationMode | ValidationRule): ValidationRule {
  return typeof r === 'string' ? { mode: r } : r;
}

let current: Resolved = resolve({});

function resolve(options: ValidationPolicyOptions): Resolved {
  if (options.deadLetter === undefined) {
    const all = [
      options.default,
      options.unknown,
      ...Object.values(options.families ?? {}),
      ...Object.values(options.types ?? {}),
    ];
    if (all.some((r) => r !== undefined && rule(r).mode === 'quarantine')) {
      throw new TypeError("configureValidation: mode 'quarantine' needs a deadLetter sink");
    }
  }
  for (const r of [options.default, ...Object.values(options.families ?? {}), ...Object.values(options.types ?? {})]) {
    const rate = r === undefined ? undefined : rule(r).sampleRate;
    if (rate !== undefined && !(rate >= 0 && rate <= 1))
      throw new TypeError(`configureValidation: sampleRate ${rate} is out of range (expected a number from 0 to 1)`);
  }
  return {
    options,
    defaultRule: rule(options.default ?? 'warn'),
    unknownMode: options.unknown ?? 'warn',
    warnIntervalMs: options.warnIntervalMs ?? 60_000,
    logger: options.logger ?? console,
    cache: new Map(),
    lastWarn: new Map(),
    suppressed: new Map(),
  };
}

/** Replaces the process-wide emit-time validation policy. Tests use `{ default: 'throw', unknown: 'throw' }`. */
export function configureValidation(options: ValidationPolicyOptions): void {
  current = resolve(options);
}

/** The policy in force, as given to {@link configureValidation}. */
export function getValidationOptions(): ValidationPolicyOptions {
  return current.options;
}

function ruleFor(descriptor: EventDescriptor): ValidationRule {
  let r = current.cache.get(descriptor.type);
  if (r === undefined) {
    const o = current.options;
    const specific = o.types?.[descriptor.type] ?? o.families?.[descriptor.family];
    r = specific === undefined ? current.defaultRule : rule(specific);
    current.cache.set(descriptor.type, r);
  }
  return r;
}

function warn(type: string, issues: readonly ValidationIssue[], reason: string): void {
  const now = Date.now();
  const last = current.lastWarn.get(type);
  if (last !== undefined && now - last < current.warnIntervalMs) {
    current.suppressed.set(type, (current.suppressed.get(type) ?? 0) + 1);
    return;
  }
  const suppressed = current.suppressed.get(type) ?? 0;
  current.suppressed.delete(type);
  // stage names are open-ended: bound the per-type memo
  if (current.lastWarn.size >= 4096) current.lastWarn.clear();
  current.lastWarn.set(type, now);
  current.logger.warn(
    { eventType: type, issues, suppressed },
    `stageflow-events: ${reason} '${type}'${suppressed ? ` (${suppressed} more since the last warning)` : ''}`,
  );
}

function onInvalid(
  mode: ValidationMode,
  type: string,
  data: unknown,
  issues: readonly ValidationIssue[],
  reason: string,
): boolean {
  switch (mode) {
    case 'throw':
      throw new ValidationError(type, issues);
    case 'drop':
      return false;
    case 'quarantine':
      current.options.deadLetter?.tryEmit({ type: 'x-dead-letter', data: { event: { type, data }, issues, reason } });
      return false;
    case 'warn':
      warn(type, issues, reason);
      return true;
    case 'off':
      return true;
  }
}

/**
 * Applies the policy to one event about to be emitted; returns whether it should be delivered.
 * Throws {@link ValidationError} only in `throw` mode.
 */
export function checkOnEmit(type: string, data: unknown, descriptor: EventDescriptor | undefined): boolean {
  if (descriptor === undefined) {
    const mode = current.unknownMode;
    if (mode === 'off') return true;
    const issue: ValidationIssue = {
      instancePath: '',
      schemaPath: '',
      keyword: 'eventType',
      params: { type },
      message: 'no schema claims this event type',
      eventType: type,
    };
    return onInvalid(mode, type, data, [issue], 'unknown event type');
  }
  const r = ruleFor(descriptor);
  if (r.mode === 'off') return true;
  if (r.sampleRate !== undefined && r.sampleRate < 1 && Math.random() >= r.sampleRate) return true;
  const validate = descriptor.validate;
  if (validate(data)) return true;
  const issues = (validate.errors ?? []).map((e) => ({ ...e, eventType: type }));
  return onInvalid(r.mode, type, data, issues, 'invalid event');
}
