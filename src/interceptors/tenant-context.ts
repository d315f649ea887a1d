import { AsyncLocalStorage } from 'node:async_hooks';
import { pino } from 'pino';
import type { Logger } from 'pino';

/** The tenant identity of the work in progress. */
export interface TenantInfo {
  readonly orgId: string;
  readonly userId?: string | undefined;
}

const store = new AsyncLocalStorage<TenantContext>();
let baseLogger: Logger | undefined;

/**
 * Scopes work to one tenant across awaits: {@link TracingInterceptor} puts its org id on every span, and
 * {@link TenantContext.logger} returns a logger that stamps `org_id` (and `user_id`) on every line.
 */
export class TenantContext {
  readonly orgId: string;
  readonly userId: string | undefined;

  constructor(info: TenantInfo) {
    this.orgId = info.orgId;
    this.userId = info.userId;
  }

  /** The tenant of the current async scope, if any. */
  static current(): TenantContext | undefined {
    return store.getStore();
  }

  /** Runs `fn` with this tenant as {@link TenantContext.current}. */
  run<R>(fn: () => R): R {
    return store.run(this, fn);
  }

  /** A child of `base` (default: a pino logger writing to stderr) whose lines carry `org_id` and `user_id`. */
  logger(base?: Logger): Logger {
    const parent = base ?? (baseLogger ??= pino({ name: 'stageflow' }, pino.destination(2)));
    return parent.child(
      this.userId === undefined ? { org_id: this.orgId } : { org_id: this.orgId, user_id: this.userId },
    );
  }
}
