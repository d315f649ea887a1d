import type { ValidationIssue } from './runtime/types.js';

/** The base of every error this package throws: a stable snake_case `code` plus typed fields. */
export class ContractError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A schema given to codegen is unusable: names the file, the JSON pointer and the problem. */
export class SchemaError extends ContractError {
  readonly file: string;
  readonly pointer: string;
  constructor(file: string, pointer: string, problem: string, options?: { cause?: unknown }) {
    super('schema_invalid', `${file}${pointer ? ` at ${pointer}` : ''}: ${problem}`, options);
    this.file = file;
    this.pointer = pointer;
  }
}

/** An event payload does not match its schema. */
export class ValidationError extends ContractError {
  readonly eventType: string;
  readonly issues: readonly ValidationIssue[];
  constructor(eventType: string, issues: readonly ValidationIssue[]) {
    const first = issues[0];
    const extra = first?.keyword === 'additionalProperties' ? `: '${String(first.params.additionalProperty)}'` : '';
    const where = first ? `${first.instancePath || '/'} ${first.message ?? first.keyword}${extra}` : 'invalid';
    super(
      'event_invalid',
      `event '${eventType}' does not match its schema: ${where}${issues.length > 1 ? ` (+${issues.length - 1} more)` : ''}`,
    );
    this.eventType = eventType;
    this.issues = issues;
  }
}

/** A snapshot could not be replayed. */
export class ReplayError extends ContractError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('replay_failed', message, options);
  }
}
