import type { EventEnvelope, EventSink } from '../runtime/types.js';
import { typeGlobMatcher, type TypeMatcher } from './type-glob.js';

/** Options of {@link FilteringEventSink}; an event passes when it matches `include` (if given) and not `exclude`. */
export interface FilteringEventSinkOptions {
  /** Type globs to keep (`tool.*`, `stage.*.completed`). Default: every type. */
  readonly include?: string | readonly string[];
  /** Type globs to drop, applied after `include`. Default: none. */
  readonly exclude?: string | readonly string[];
}

/** Passes to `downstream` only the events whose type matches the include globs and none of the exclude globs. */
export class FilteringEventSink implements EventSink {
  private readonly _downstream: EventSink;
  private readonly _include: TypeMatcher | undefined;
  private readonly _exclude: TypeMatcher | undefined;

  constructor(downstream: EventSink, options: FilteringEventSinkOptions) {
    this._downstream = downstream;
    this._include = options.include === undefined ? undefined : typeGlobMatcher(options.include);
    this._exclude = options.exclude === undefined ? undefined : typeGlobMatcher(options.exclude);
  }

  /** Whether an event of this type would be passed on. */
  accepts(type: string): boolean {
    return (
      (this._include === undefined || this._include(type)) && (this._exclude === undefined || !this._exclude(type))
    );
  }

  emit(event: EventEnvelope): Promise<void> {
    return this.accepts(event.type) ? this._downstream.emit(event) : Promise.resolve();
  }

  tryEmit(event: EventEnvelope): void {
    if (this.accepts(event.type)) this._downstream.tryEmit(event);
  }

  async flush(): Promise<void> {
    await this._downstream.flush?.();
  }

  async shutdown(): Promise<void> {
    await this._downstream.shutdown?.();
  }
}
