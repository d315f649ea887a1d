import { ReplayError } from '../errors.js';
import type { EventSink } from '../runtime/types.js';
import { NdjsonFileEventSink } from '../sinks/ndjson-file-event-sink.js';
import type { SchemaRef } from '../sinks/ndjson-file-event-sink.js';
import { describeEventType } from './replay.js';
import { maskTarget, storeSinkFromTarget } from '../stores/index.js';

/** What the caller hears from the sink it asked for. */
export interface SinkHooks {
  /** Called with each failure the sink reports: a store's dead-lettered or dropped batch (with the server's message), a recorder's failed write. Retries are not reported. */
  readonly onError?: (message: string) => void;
}

/** Creates the sink a `--to` target names; called once, after the arguments have been checked. */
export type SinkFactory = (hooks?: SinkHooks) => EventSink;

const messageOf = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const detail = (error as { detail?: unknown }).detail;
  return typeof detail === 'string' && detail !== '' ? `${error.message} (${detail})` : error.message;
};

/** The schema reference the recorder writes for a type: generated schemas first, then custom events. */
export function describeSchema(type: string): SchemaRef | undefined {
  const d = describeEventType(type);
  return d === undefined ? undefined : { schemaId: d.schemaId, version: d.version };
}

/**
 * Parses a sink target of the CLI's `--to` (`ndjson:<path>`, `sqlite:<path>`, `postgres://…`, `redis://…`) into a factory; throws {@link ReplayError} naming the
 * target and the accepted forms when it is not one. New schemes are added here, one branch each.
 */
export function parseSinkTarget(target: string): SinkFactory {
  if (/^(sqlite:|postgres(ql)?:\/\/|redis:\/\/)/.test(target)) {
    if (target === 'sqlite:')
      throw new ReplayError(`sink target 'sqlite:' names no database file (expected sqlite:<path>)`);
    return (hooks) => {
      const onError = hooks?.onError;
      const sink = storeSinkFromTarget(
        target,
        onError === undefined
          ? {}
          : {
              onError: (error, info) => {
                if (info.outcome !== 'retry') onError(`${info.events} events ${info.outcome}: ${messageOf(error)}`);
              },
            },
      );
      if (sink === undefined) throw new ReplayError(`cannot open sink target '${maskTarget(target)}'`);
      return sink;
    };
  }
  const colon = target.indexOf(':');
  const scheme = colon === -1 ? '' : target.slice(0, colon);
  const rest = colon === -1 ? '' : target.slice(colon + 1);
  switch (scheme) {
    case 'ndjson':
      if (rest === '') break;
      return (hooks) => {
        const onError = hooks?.onError;
        return new NdjsonFileEventSink({
          path: rest,
          describe: describeSchema,
          ...(onError === undefined ? {} : { onError: (error: unknown) => onError(messageOf(error)) }),
        });
      };
  }
  throw new ReplayError(
    `unknown sink target '${maskTarget(target)}' (expected ndjson:<path>, sqlite:<path>, postgres://..., or redis://...)`,
  );
}
