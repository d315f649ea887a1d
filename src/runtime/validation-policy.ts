import { createRequire } from 'node:module';
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
  /** And at most this many warnings per interval over all types together (stage names are open-ended). Default 100. */
  readonly maxWarningsPerInterval?: number;
  /**
   * Where warnings go, called with the object first (`warn({eventType, issues, suppressed}, message)`). Default: a pino
   * logger named `stageflow.events` writing to stderr. A logger that throws is counted (`loggerFailures`), never rethrown.
   */
  readonly logger?: WarnLogger;
}

/** What emit isolated instead of throwing into the caller, since the last {@link configureValidation}. */
export interface EmitStats {
  /** A sink's `tryEmit` threw (outside the `throw` policy); the event is lost. */
  readonly sinkFailures: number;
  /** The dead-letter sink's `tryEmit` threw under `quarantine`; the event is lost. */
  readonly deadLetterFailures: number;
  /** The logger threw while warning. */
  readonly loggerFailures: number;
  /** The payload could not be read to validate it (a throwing getter, a revoked proxy); treated as invalid. */
  readonly unreadablePayloads: number;
  /** Warnings not logged because of the per-type or the global rate limit. */
  readonly suppressedWarnings: number;
}

interface Resolved {
  readonly options: ValidationPolicyOptions;
  readonly defaultRule: ValidationRule;
  readonly unknownMode: ValidationMode;
  readonly warnIntervalMs: number;
  readonly maxWarnings: number;
  readonly logger: WarnLogger | undefined;
  readonly cache: Map<string, ValidationRule>;
  readonly lastWarn: Map<string, number>;
  readonly suppressed: Map<string, number>;
  windowStart: number;
  windowCount: number;
  /** Warnings of any type dropped by the global limit since the last one logged. */
  globalSuppressed: number;
  readonly stats: { -readonly [K in keyof EmitStats]: number };
}

let defaultLogger: WarnLogger | undefined;

function loggerOf(r: Resolved): WarnLogger {
  if (r.logger !== undefined) return r.logger;
  if (defaultLogger === undefined) {
    // pino is loaded on the first warning: validators, workers and the CLI import this module and most never warn
    const { pino } = createRequire(import.meta.url)('pino') as typeof import('pino');
    defaultLogger = pino({ name: 'stageflow.events' }, pino.destination(2)) as unknown as WarnLogger;
  }
  return defaultLogger;
}

// an own property only: a type named 'constructor' or '__proto__' must not find Object.prototype's members
function own<T>(map: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;
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
    maxWarnings: options.maxWarningsPerInterval ?? 100,
    logger: options.logger,
    cache: new Map(),
    lastWarn: new Map(),
    suppressed: new Map(),
    windowStart: Number.NEGATIVE_INFINITY,
    windowCount: 0,
    globalSuppressed: 0,
    stats: { sinkFailures: 0, deadLetterFailures: 0, loggerFailures: 0, unreadablePayloads: 0, suppressedWarnings: 0 },
  };
}

/** Replaces the process-wide emit-time validation policy. Tests use `{ default: 'throw', unknown: 'throw' }`. */
export function configureValidation(options: ValidationPolicyOptions): void {
  current = resolve(options);
}

/** What emit isolated (sink, dead-letter and logger failures, unreadable payloads, suppressed warnings) since the last {@link configureValidation}. */
export function getEmitStats(): EmitStats {
  return { ...current.stats };
}

/** The policy in force, as given to {@link configureValidation}. */
export function getValidationOptions(): ValidationPolicyOptions {
  return current.options;
}

function ruleFor(descriptor: EventDescriptor): ValidationRule {
  let r = current.cache.get(descriptor.type);
  if (r === undefined) {
    const o = current.options;
    const specific = own(o.types, descriptor.type) ?? own(o.families, descriptor.family);
    r = specific === undefined ? current.defaultRule : rule(specific);
    current.cache.set(descriptor.type, r);
  }
  return r;
}

// a type as shown in a message: bounded, one line
function shown(type: string): string {
  const cut = type.length > 200 ? `${type.slice(0, 200)}… (${type.length} characters)` : type;
  return cut.replace(
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Logs through the configured logger, object first; a logger that throws is counted, never rethrown. */
function log(obj: object, msg: string): void {
  try {
    loggerOf(current).warn(obj, msg);
  } catch {
    current.stats.loggerFailures++;
  }
}

/** Rate-limited warning: at most once per `key` per interval, and `maxWarningsPerInterval` over all keys. */
function warn(type: string, issues: readonly ValidationIssue[], reason: string, key: string = type): void {
  const now = Date.now();
  const last = current.lastWarn.get(key);
  if (last !== undefined && now - last < current.warnIntervalMs) {
    current.suppressed.set(key, (current.suppressed.get(key) ?? 0) + 1);
    current.stats.suppressedWarnings++;
    return;
  }
  if (now - current.windowStart >= current.warnIntervalMs) {
    current.windowStart = now;
    current.windowCount = 0;
  }
  if (current.windowCount >= current.maxWarnings) {
    current.globalSuppressed++;
    current.stats.suppressedWarnings++;
    return;
  }
  current.windowCount++;
  const suppressed = current.suppressed.get(key) ?? 0;
  current.suppressed.delete(key);
  const otherTypes = current.globalSuppressed;
  current.globalSuppressed = 0;
  // stage names are open-ended: bound the per-type memo
  if (current.lastWarn.size >= 4096) current.lastWarn.clear();
  current.lastWarn.set(key, now);
  const more = [
    suppressed ? `${suppressed} more since the last warning` : '',
    otherTypes ? `${otherTypes} warnings of other types suppressed` : '',
  ].filter((m) => m !== '');
  log(
    otherTypes
      ? { eventType: type, issues, suppressed, suppressedOtherTypes: otherTypes }
      : { eventType: type, issues, suppressed },
    `stageflow-events: ${reason} '${shown(type)}'${more.length > 0 ? ` (${more.join('; ')})` : ''}`,
  );
}

/** The mode in force for one event (its rule, or the unknown-type mode). */
function modeOf(descriptor: EventDescriptor | undefined): ValidationMode {
  return descriptor === undefined ? current.unknownMode : ruleFor(descriptor).mode;
}

/**
 * Called by emit when the sink's `tryEmit` threw: counted and warned about (rate-limited); rethrown only when the
 * event's mode is `throw`.
 */
export function onSinkFailure(type: string, descriptor: EventDescriptor | undefined, error: unknown): void {
  if (modeOf(descriptor) === 'throw') throw error;
  current.stats.sinkFailures++;
  warn(type, [], `the sink threw (${errorText(error)}); lost event`, `\u0000sink:${type}`);
}

function errorText(e: unknown): string {
  try {
    return e instanceof Error ? e.message : String(e);
  } catch {
    return 'an unprintable error';
  }
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
      try {
        current.options.deadLetter?.tryEmit({ type: 'x-dead-letter', data: { event: { type, data }, issues, reason } });
      } catch (e) {
        current.stats.deadLetterFailures++;
        warn(type, issues, `the dead-letter sink threw (${errorText(e)}); lost event`, `\u0000dead-letter:${type}`);
      }
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
  let valid: boolean;
  try {
    valid = validate(data);
  } catch (e) {
    // a throwing getter or a revoked proxy: the payload cannot be read, so it cannot be valid
    if (r.mode === 'throw') throw e;
    current.stats.unreadablePayloads++;
    const issue: ValidationIssue = {
      instancePath: '',
      schemaPath: '',
      keyword: 'unreadable',
      params: {},
      message: `the payload could not be read: ${errorText(e)}`,
      eventType: type,
    };
    return onInvalid(r.mode, type, data, [issue], 'unreadable payload of');
  }
  if (valid) return true;
  const issues = (validate.errors ?? []).map((e) => ({ ...e, eventType: type }));
  return onInvalid(r.mode, type, data, issues, 'invalid event');
}
