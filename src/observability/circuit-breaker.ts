import { ContractError } from '../errors.js';

/** A breaker's state for one key. */
export type CircuitState = 'closed' | 'open' | 'half_open';

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker; default 5. */
  readonly failureThreshold?: number;
  /** How long the breaker stays open before admitting probes, in milliseconds; default 30000. */
  readonly resetTimeoutMs?: number;
  /** Probes admitted at once while half-open; default 1. */
  readonly halfOpenMaxProbes?: number;
  /** Clock in milliseconds; default `Date.now`. */
  readonly now?: () => number;
}

interface KeyState {
  state: CircuitState;
  failures: number;
  openedAt: number;
  probes: number;
  lastReason: string | undefined;
}

/** Raised when a call is short-circuited by an open breaker; `summarizePipelineError` classifies it as `CIRCUIT_OPEN`. */
export class CircuitBreakerOpenError extends ContractError {
  readonly operation: string;
  readonly provider: string;
  constructor(operation: string, provider: string) {
    super('circuit_open', `Circuit breaker open for ${operation}/${provider}`);
    this.operation = operation;
    this.provider = provider;
  }
}

/** The key the protocol of the Python framework we follow uses for an operation and provider: `<operation>/<provider>`. */
export function circuitKey(operation: string, provider: string): string {
  return `${operation}/${provider}`;
}

/**
 * A working circuit breaker keyed by name (a stage, or `operation/provider`): closed until `failureThreshold`
 * consecutive failures, then open (every call short-circuited) until `resetTimeoutMs` has passed (at exactly
 * `resetTimeoutMs` it is still open, as in the Python framework we follow), then half-open, admitting at most
 * `halfOpenMaxProbes` concurrent probes; a probe's success closes it, its failure reopens it. State lives in the
 * instance, so keep one breaker across runs. Unlike the interceptor of the Python framework we follow, a short-circuit
 * never resets the breaker, and each failure is counted once per {@link recordFailure} call.
 */
export class CircuitBreaker {
  /** Consecutive failures that open the breaker. */
  readonly failureThreshold: number;
  /** How long the breaker stays open, in milliseconds. */
  readonly resetTimeoutMs: number;
  /** Probes admitted at once while half-open. */
  readonly halfOpenMaxProbes: number;
  private readonly _now: () => number;
  private readonly _keys = new Map<string, KeyState>();

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? 5;
    this.resetTimeoutMs = options.resetTimeoutMs ?? 30_000;
    this.halfOpenMaxProbes = options.halfOpenMaxProbes ?? 1;
    this._now = options.now ?? Date.now;
    if (!(this.failureThreshold >= 1) || !(this.resetTimeoutMs >= 0) || !(this.halfOpenMaxProbes >= 1)) {
      throw new ContractError(
        'invalid_option',
        `CircuitBreaker: failureThreshold and halfOpenMaxProbes must be at least 1 and resetTimeoutMs not negative, got ${this.failureThreshold}, ${this.halfOpenMaxProbes}, ${this.resetTimeoutMs}`,
      );
    }
  }

  /** The state of `key`: an open breaker whose reset time has passed reports `half_open`. */
  state(key: string): CircuitState {
    const s = this._keys.get(key);
    if (s === undefined) return 'closed';
    this._advance(s);
    return s.state;
  }

  /** Consecutive failures counted for `key` since it last closed. */
  failureCount(key: string): number {
    return this._keys.get(key)?.failures ?? 0;
  }

  /** The reason given with the last failure of `key`, if any. */
  lastFailureReason(key: string): string | undefined {
    return this._keys.get(key)?.lastReason;
  }

  /**
   * Asks to make a call: true when closed, or half-open with a probe slot free (the slot is taken until
   * {@link recordSuccess} or {@link recordFailure}); false means short-circuit and should be reported as a failure.
   */
  tryAcquire(key: string): boolean {
    const s = this._keys.get(key);
    if (s === undefined) return true;
    this._advance(s);
    if (s.state === 'closed') return true;
    if (s.state === 'open' || s.probes >= this.halfOpenMaxProbes) return false;
    s.probes++;
    return true;
  }

  /** Records a successful call: closes the breaker and resets the failure count. */
  recordSuccess(key: string): void {
    const s = this._keys.get(key);
    if (s === undefined) return;
    s.state = 'closed';
    s.failures = 0;
    s.probes = 0;
  }

  /** Records one failed call: opens the breaker at the threshold, and reopens it when a half-open probe fails. */
  recordFailure(key: string, reason?: string): void {
    let s = this._keys.get(key);
    if (s === undefined) {
      s = { state: 'closed', failures: 0, openedAt: 0, probes: 0, lastReason: undefined };
      this._keys.set(key, s);
    }
    this._advance(s);
    s.lastReason = reason;
    s.failures++;
    if (s.state === 'half_open' || (s.state === 'closed' && s.failures >= this.failureThreshold)) {
      s.state = 'open';
      s.openedAt = this._now();
      s.probes = 0;
    }
  }

  /** Forgets `key`, or every key when none is given. */
  reset(key?: string): void {
    if (key === undefined) this._keys.clear();
    else this._keys.delete(key);
  }

  /**
   * The protocol of the Python framework we follow: whether a call to `operation/provider` must be blocked; when it
   * resolves false the call is admitted (taking a probe slot when half-open), so report its outcome with
   * {@link recordSuccess} or {@link recordFailure}.
   */
  isOpen(args: { readonly operation: string; readonly provider: string }): Promise<boolean> {
    return Promise.resolve(!this.tryAcquire(circuitKey(args.operation, args.provider)));
  }

  private _advance(s: KeyState): void {
    // half-open once the reset time has passed, not at exactly it, as the Python framework we follow does
    if (s.state === 'open' && this._now() - s.openedAt > this.resetTimeoutMs) {
      s.state = 'half_open';
      s.probes = 0;
    }
  }
}
