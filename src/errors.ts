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

/** An optional peer dependency a feature needs is not installed: names the package and the command that installs it. */
export class MissingPeerDependencyError extends ContractError {
  readonly packageName: string;
  constructor(packageName: string, neededBy: string, options?: { cause?: unknown }) {
    super(
      'missing_dependency',
      `the optional package '${packageName}' is not installed: ${neededBy} need it. Install it with \`npm install ${packageName}\``,
      options,
    );
    this.packageName = packageName;
  }
}

/**
 * Imports an optional peer dependency through `load` (an `import()` of `specifier`); when the package is not installed,
 * throws {@link MissingPeerDependencyError} naming it and `neededBy`. Other failures propagate unchanged.
 */
export async function importOptionalPeer<T>(specifier: string, neededBy: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const message = error instanceof Error ? error.message : '';
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(`'${specifier}'`))
      throw new MissingPeerDependencyError(specifier, neededBy, { cause: error });
    throw error;
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
