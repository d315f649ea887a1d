import { describe, expect, it } from 'vitest';
import {
  CorrelationIds,
  TraceContext,
  clearCorrelationId,
  ensureCorrelationId,
  getCorrelationId,
  getTraceContextDict,
  setCorrelationId,
} from '../../../src/observability/index.js';
import { sampleRecords } from '../../helpers/reference-sample.js';

const ID_A = '18d3ff22-b15a-48dd-b9fe-b69c0653e440';
const ID_B = 'a0142059-04bd-400b-a95e-0aa81feabda2';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// each test runs in its own async scope so enterWith-based setters cannot leak between tests
function isolated<R>(fn: () => Promise<R>): Promise<R> {
  return new TraceContext().activate(fn);
}

describe('correlation ids', () => {
  it('sets, reads and clears the correlation id', () =>
    isolated(async () => {
      setCorrelationId(ID_A);
      expect(getCorrelationId()).toBe(ID_A);
      clearCorrelationId();
      expect(getCorrelationId()).toBeNull();
    }));

  it('ensureCorrelationId creates an id once and then returns the same one', () =>
    isolated(async () => {
      const first = ensureCorrelationId();
      expect(first).toMatch(/^[0-9a-f-]{36}$/);
      expect(ensureCorrelationId()).toBe(first);
      expect(getCorrelationId()).toBe(first);
    }));

  it('survives awaits', () =>
    isolated(async () => {
      setCorrelationId(ID_A);
      await sleep(1);
      expect(getCorrelationId()).toBe(ID_A);
    }));

  it('isolates concurrently running tasks', () =>
    isolated(async () => {
      const task = async (id: string, delay: number): Promise<string | null> => {
        setCorrelationId(id);
        await sleep(delay);
        return getCorrelationId();
      };
      expect(await Promise.all([task(ID_A, 5), task(ID_B, 1)])).toEqual([ID_A, ID_B]);
    }));

  it('rejects a correlation id that is not a UUID', () => {
    expect(() => setCorrelationId('abc')).toThrow("correlation id must be a UUID, got 'abc'");
  });

  it('getTraceContextDict always has the four keys', () =>
    isolated(async () => {
      expect(getTraceContextDict()).toEqual({
        trace_id: null,
        span_id: null,
        parent_span_id: null,
        correlation_id: null,
      });
      setCorrelationId(ID_A);
      expect(Object.keys(getTraceContextDict())).toEqual(['trace_id', 'span_id', 'parent_span_id', 'correlation_id']);
    }));

  it('matches the reference get_trace_context_dict record inside an activated context', async () => {
    const [expected] = await sampleRecords('x-record.get_trace_context_dict');
    const ctx = new TraceContext({
      traceId: '11112222333344445555666677778888',
      spanId: 'aaaabbbbccccdddd',
      correlationId: ID_B,
    });
    expect(ctx.activate(() => getTraceContextDict())).toEqual(expected);
  });
});

describe('CorrelationIds', () => {
  it('includes only truthy keys, renames runId to pipeline_run_id and merges extra last', () => {
    const ids = new CorrelationIds({
      runId: 'r',
      requestId: '',
      traceId: null,
      userId: 'u',
      extra: { user_id: 'override', interaction_id: 'i' },
    });
    expect(ids.toDict()).toEqual({ pipeline_run_id: 'r', user_id: 'override', interaction_id: 'i' });
  });

  it('reproduces the reference to_dict records', async () => {
    const [full, empty] = (await sampleRecords('x-record.correlation_ids.to_dict')) as Array<Record<string, string>>;
    const ids = new CorrelationIds({
      runId: full?.pipeline_run_id ?? null,
      requestId: full?.request_id ?? null,
      traceId: full?.trace_id ?? null,
      sessionId: full?.session_id ?? null,
      userId: full?.user_id ?? null,
      orgId: full?.org_id ?? null,
      extra: { interaction_id: full?.interaction_id },
    });
    expect(ids.toDict()).toEqual(full);
    expect(new CorrelationIds().toDict()).toEqual(empty);
  });

  it('is frozen', () => {
    const ids = new CorrelationIds({ runId: 'r' });
    expect(Object.isFrozen(ids)).toBe(true);
  });
});
