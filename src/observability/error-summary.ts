/** The codes {@link summarizePipelineError} assigns, checked in this order. */
export type ErrorSummaryCode = 'TIMEOUT' | 'CIRCUIT_OPEN' | 'CANCELLED' | 'UNKNOWN';

/** A short, serialisable description of why a run or stage failed. */
export interface ErrorSummary {
  readonly code: ErrorSummaryCode;
  /** The error's class name (`TypeError`, `StageTimeoutError`), or the JavaScript type of a thrown non-error. */
  readonly type: string;
  /** The error message, cut to {@link MAX_ERROR_MESSAGE_LENGTH} code points (never inside a surrogate pair). */
  readonly message: string;
  readonly retryable: boolean;
  /** The stage the error came from, when the caller knows it. */
  readonly stage?: string;
}

/** Options of {@link summarizePipelineError}. */
export interface SummarizePipelineErrorOptions {
  /** The failed stage, copied into the summary (the Python framework we follow defines the key but never fills it). */
  readonly stage?: string | undefined;
}

/** The longest message a summary keeps, in code points (Unicode characters), as in the Python framework we follow. */
export const MAX_ERROR_MESSAGE_LENGTH = 500;

const MAX_CAUSE_DEPTH = 16;

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let e: unknown = error;
  while (e !== undefined && e !== null && chain.length < MAX_CAUSE_DEPTH && !chain.includes(e)) {
    chain.push(e);
    e = typeof e === 'object' ? (e as { cause?: unknown }).cause : undefined;
  }
  return chain;
}

function field(e: unknown, key: 'name' | 'code' | 'message'): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const v = (e as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

const TIMEOUT_CLASSES = new Set(['TimeoutError', 'StageTimeoutError']);
const CIRCUIT_OPEN_CLASSES = new Set(['CircuitBreakerOpenError']);
const CANCELLED_CLASSES = new Set(['AbortError', 'PipelineCancelledError']);

// detection by class, as the Python framework's isinstance: a subclass with a name of its own is still of its family
function isInstanceOfNamed(e: unknown, names: ReadonlySet<string>): boolean {
  if (typeof e !== 'object' || e === null) return false;
  let proto: unknown = Object.getPrototypeOf(e);
  for (let depth = 0; proto !== null && proto !== Object.prototype && depth < 32; depth++) {
    const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value as unknown;
    if (typeof ctor === 'function' && names.has(ctor.name)) return true;
    proto = Object.getPrototypeOf(proto);
  }
  return false;
}

function isTimeout(e: unknown): boolean {
  const name = field(e, 'name');
  const code = field(e, 'code');
  return (
    isInstanceOfNamed(e, TIMEOUT_CLASSES) ||
    name === 'TimeoutError' ||
    name === 'StageTimeoutError' ||
    code === 'stage_timeout' ||
    code === 'ETIMEDOUT' ||
    code === 'ABORT_ERR_TIMEOUT'
  );
}

function isCircuitOpen(e: unknown): boolean {
  if (field(e, 'name') === 'CircuitBreakerOpenError' || isInstanceOfNamed(e, CIRCUIT_OPEN_CLASSES)) return true;
  const message = field(e, 'message') ?? (typeof e === 'string' ? e : '');
  return message.toLowerCase().includes('circuit breaker');
}

function isCancelled(e: unknown): boolean {
  const name = field(e, 'name');
  const code = field(e, 'code');
  return (
    isInstanceOfNamed(e, CANCELLED_CLASSES) ||
    name === 'AbortError' ||
    name === 'PipelineCancelledError' ||
    code === 'ABORT_ERR' ||
    code === 'pipeline_cancelled'
  );
}

// the first `max` code points of `s`: a surrogate pair counts as one and is never split
function cutCodePoints(s: string, max: number): string {
  if (s.length <= max) return s;
  let i = 0;
  for (let n = 0; n < max && i < s.length; n++) i += (s.codePointAt(i) as number) > 0xffff ? 2 : 1;
  return s.slice(0, i);
}

function typeName(error: unknown): string {
  if (error instanceof Error) return error.constructor.name || error.name;
  if (error === null) return 'null';
  return typeof error;
}

/**
 * Classifies an error as `TIMEOUT`, `CIRCUIT_OPEN`, `CANCELLED` or `UNKNOWN` (checked in that order), looking through
 * `cause` chains so a timeout wrapped in another error is still a timeout (the Python framework we follow reports it as
 * `UNKNOWN`).
 */
export function summarizePipelineError(error: unknown, options: SummarizePipelineErrorOptions = {}): ErrorSummary {
  const chain = causes(error);
  let code: ErrorSummaryCode = 'UNKNOWN';
  if (chain.some(isTimeout)) code = 'TIMEOUT';
  else if (chain.some(isCircuitOpen)) code = 'CIRCUIT_OPEN';
  else if (chain.some(isCancelled)) code = 'CANCELLED';
  const raw = error instanceof Error ? error.message : typeof error === 'string' ? error : String(error);
  const summary = {
    code,
    type: typeName(error),
    message: cutCodePoints(raw, MAX_ERROR_MESSAGE_LENGTH),
    retryable: code === 'TIMEOUT' || code === 'CIRCUIT_OPEN',
  };
  return options.stage === undefined ? summary : { ...summary, stage: options.stage };
}

/** Formats a summary as `CODE: message`, stripped, with `UNKNOWN` for a missing code (an empty message gives `UNKNOWN:`). */
export function errorSummaryToString(summary: Partial<ErrorSummary>): string {
  const code = summary.code === undefined || summary.code.length === 0 ? 'UNKNOWN' : summary.code;
  return `${code}: ${summary.message ?? ''}`.trim();
}

/** Wraps a summary as the `{failure: {error}}` patch the Python framework we follow merges into a run's stage results. */
export function errorSummaryToStagesPatch(summary: ErrorSummary): { failure: { error: ErrorSummary } } {
  return { failure: { error: summary } };
}
