/** What a stage reports: `ok` (with data), `skip` (with a reason), `cancel` (stops the run) or `fail` (with an error). */
export type StageOutcome = 'ok' | 'skip' | 'cancel' | 'fail';

/** The value a stage runner returns; build it with {@link StageOutput.ok}, `.skip`, `.cancel` or `.fail`. */
export class StageOutput {
  readonly outcome: StageOutcome;
  readonly data: Readonly<Record<string, unknown>>;
  readonly error: Error | undefined;

  private constructor(outcome: StageOutcome, data: Readonly<Record<string, unknown>>, error?: Error) {
    this.outcome = outcome;
    this.data = data;
    this.error = error;
  }

  /** A successful stage whose `data` becomes its output (dependents read it through `StageContext.inputs`). */
  static ok(data: Readonly<Record<string, unknown>> = {}): StageOutput {
    return new StageOutput('ok', data);
  }

  /** A skipped stage; the reason is stored under `data.reason` (dependents still run). */
  static skip(reason: string): StageOutput {
    return new StageOutput('skip', { reason });
  }

  /** A stage that cancels the whole run; the reason is stored under `data.cancel_reason`. */
  static cancel(reason: string): StageOutput {
    return new StageOutput('cancel', { cancel_reason: reason });
  }

  /** A failed stage: the run fails and its dependents are skipped; a string becomes an `Error`. */
  static fail(error: Error | string, data: Readonly<Record<string, unknown>> = {}): StageOutput {
    return new StageOutput('fail', data, typeof error === 'string' ? new Error(error) : error);
  }
}
