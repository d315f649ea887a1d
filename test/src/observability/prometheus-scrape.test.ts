import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../../helpers/cli.js';
import { PrometheusMetricsInterceptor } from '../../../src/interceptors/index.js';
import { registerSinkMetrics, servePrometheusMetrics } from '../../../src/observability/index.js';
import type { PrometheusMetricsServer } from '../../../src/observability/index.js';
import { StageGraphBuilder, StageOutput } from '../../../src/pipeline/index.js';
import { BackpressureAwareEventSink, CollectingEventSink } from '../../../src/sinks/index.js';
import { startPrometheus } from '../../helpers/prometheus.js';
import type { RunningPrometheus } from '../../helpers/prometheus.js';

describe('a real Prometheus scraping the metrics endpoint', () => {
  let metrics: PrometheusMetricsServer;
  let prometheus: RunningPrometheus;
  let sink: BackpressureAwareEventSink;

  beforeAll(async () => {
    const prom = new PrometheusMetricsInterceptor();
    // a queue of 8 offered 40 events in one synchronous burst: 32 are dropped, whatever the machine's speed
    sink = new BackpressureAwareEventSink({ downstream: new CollectingEventSink(), maxQueueSize: 8 });
    registerSinkMetrics(prom.registry, { backpressure: sink });
    await new StageGraphBuilder('scraped')
      .stage('fetch', () => StageOutput.ok({ a: 1 }))
      .stage('answer', () => StageOutput.ok({ b: 2 }), { dependencies: ['fetch'] })
      .build()
      .run({ sink: new CollectingEventSink(), interceptors: [prom] });
    for (let i = 0; i < 40; i++) sink.tryEmit({ type: 'x.y', data: { i } });
    metrics = await servePrometheusMetrics(prom.registry, { port: 0 });
    prometheus = await startPrometheus(`127.0.0.1:${metrics.port}`);
  }, 120_000);
  afterAll(async () => {
    await prometheus?.stop();
    await metrics?.close();
    await sink?.shutdown();
  });

  it('serves the registry in the Prometheus text format and 404s other paths', async () => {
    const res = await fetch(metrics.url);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toMatch(/stage_duration_seconds_bucket\{le="[^"]+",stage="fetch",status="completed"\}/);
    expect((await fetch(metrics.url.replace('/metrics', '/other'))).status).toBe(404);
  });

  it('Prometheus scrapes the target and answers for the stage duration histogram', async () => {
    const up = await prometheus.waitFor('up{job="stageflow"}', (r) => r[0]?.value[1] === '1');
    expect(up).toHaveLength(1);
    const counts = await prometheus.waitFor('stage_duration_seconds_count', (r) => r.length === 2);
    expect(counts.map((r) => [r.metric.stage, r.metric.status, r.value[1]]).sort()).toEqual([
      ['answer', 'completed', '1'],
      ['fetch', 'completed', '1'],
    ]);
    const buckets = await prometheus.query('stage_duration_seconds_bucket{stage="fetch",le="+Inf"}');
    expect(buckets[0]?.value[1]).toBe('1');
  });

  it('Prometheus answers for the sink drop counter', async () => {
    const dropped = await prometheus.waitFor('stageflow_sink_events_dropped_total', (r) => r.length === 1);
    expect(dropped[0]?.metric.sink).toBe('backpressure');
    expect(dropped[0]?.value[1]).toBe(String(sink.metrics.dropped));
    expect(sink.metrics.dropped).toBe(32);
  });
});

describe('a real Prometheus scraping `npm start -- --metrics-port`', () => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-prometheus-'));
  let demo: ChildProcessWithoutNullStreams;
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    demo = spawn(process.execPath, [CLI, 'demo', '--out', dir, '--metrics-port', '0']);
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      demo.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /metrics: http:\/\/(\S+)\/metrics/.exec(out);
        if (m?.[1] !== undefined) resolve(m[1]);
      });
      demo.once('exit', (code) => reject(new Error(`demo exited with ${code} before serving:\n${out}`)));
    });
    prometheus = await startPrometheus(url);
  }, 120_000);
  afterAll(async () => {
    await prometheus?.stop();
    if (demo.exitCode === null) {
      const exited = new Promise((r) => demo.once('exit', r));
      demo.kill('SIGINT');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers for the demo run’s stage duration histogram and its recorder’s drop counter', async () => {
    const guard = await prometheus.waitFor('stage_duration_seconds_count{stage="policy_guard"}', (r) => r.length === 2);
    expect(guard.map((r) => [r.metric.status, r.value[1]]).sort()).toEqual([
      ['completed', '1'],
      ['failed', '1'],
    ]);
    const dropped = await prometheus.waitFor('stageflow_sink_events_dropped_total', (r) => r.length === 1);
    expect(dropped[0]?.metric.sink).toBe('recorder');
    expect(dropped[0]?.value[1]).toBe('0');
  });
});
