import { Counter, Histogram, Registry } from 'prom-client';
import type { StageRunResult } from '../pipeline/types.js';
import type { Interceptor } from '../pipeline/interceptor.js';

/** Options of {@link PrometheusMetricsInterceptor}. */
export interface PrometheusMetricsInterceptorOptions {
  /** Where the metrics are registered. Default: a fresh `Registry` per instance (never the global one). */
  readonly registry?: Registry;
  /** Histogram buckets of `stage_duration_seconds`, in seconds. Default prom-client's defaults. */
  readonly durationBuckets?: readonly number[];
}

/** Counts stage starts and completions and observes stage durations with prom-client. */
export class PrometheusMetricsInterceptor implements Interceptor {
  readonly name = 'prometheus_metrics';
  readonly priority = 41;
  /** The registry the three metrics live in (serve `registry.metrics()` to scrape them). */
  readonly registry: Registry;
  private readonly _started: Counter<'stage'>;
  private readonly _completed: Counter<'stage' | 'status'>;
  private readonly _duration: Histogram<'stage' | 'status'>;

  constructor(options: PrometheusMetricsInterceptorOptions = {}) {
    this.registry = options.registry ?? new Registry();
    const registers = [this.registry];
    this._started = new Counter({
      name: 'stage_started_total',
      help: 'Stages started',
      labelNames: ['stage'],
      registers,
    });
    this._completed = new Counter({
      name: 'stage_completed_total',
      help: 'Stages ended, by status',
      labelNames: ['stage', 'status'],
      registers,
    });
    this._duration = new Histogram({
      name: 'stage_duration_seconds',
      help: 'Stage duration in seconds',
      labelNames: ['stage', 'status'],
      registers,
      ...(options.durationBuckets === undefined ? {} : { buckets: [...options.durationBuckets] }),
    });
  }

  before(stage: string): void {
    this._started.inc({ stage });
  }

  after(stage: string, result: StageRunResult): void {
    this._completed.inc({ stage, status: result.status });
    this._duration.observe({ stage, status: result.status }, result.durationMs / 1000);
  }
}
