import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';

/** A sink whose delivery counters can be exported (the backpressure sink and the production store sinks keep them). */
export interface CountingSink {
  readonly metrics: { readonly dropped: number; readonly delivered?: number };
}

/**
 * Registers `stageflow_sink_events_dropped_total{sink}` and `stageflow_sink_events_delivered_total{sink}` in
 * `registry`, read from each sink's `metrics` at scrape time.
 */
export function registerSinkMetrics(registry: Registry, sinks: Readonly<Record<string, CountingSink>>): void {
  const entries = Object.entries(sinks);
  new Counter({
    name: 'stageflow_sink_events_dropped_total',
    help: 'Events a sink dropped (queue full or shut down)',
    labelNames: ['sink'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [sink, s] of entries) this.inc({ sink }, s.metrics.dropped);
    },
  });
  new Counter({
    name: 'stageflow_sink_events_delivered_total',
    help: 'Events a sink delivered downstream',
    labelNames: ['sink'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [sink, s] of entries) this.inc({ sink }, s.metrics.delivered ?? 0);
    },
  });
}

/** Options of {@link servePrometheusMetrics}. */
export interface PrometheusMetricsServerOptions {
  /** The TCP port; 0 picks a free one (see {@link PrometheusMetricsServer.port}). */
  readonly port: number;
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Default `/metrics`. */
  readonly path?: string;
}

/** A running metrics endpoint; `close` stops it. */
export class PrometheusMetricsServer {
  private readonly _server: Server;
  readonly host: string;
  readonly path: string;

  constructor(server: Server, host: string, path: string) {
    this._server = server;
    this.host = host;
    this.path = path;
  }

  get port(): number {
    return (this._server.address() as AddressInfo).port;
  }

  /** The scrape URL. */
  get url(): string {
    return `http://${this.host}:${this.port}${this.path}`;
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this._server.close((e) => (e ? reject(e) : resolve())));
  }
}

/**
 * Serves `registry` in the Prometheus text format at `http://host:port/metrics` (any other path is 404); resolves once
 * listening. Pass the `PrometheusMetricsInterceptor`'s registry (after {@link registerSinkMetrics} if the sink drop
 * counters should be scraped too).
 */
export function servePrometheusMetrics(
  registry: Registry,
  options: PrometheusMetricsServerOptions,
): Promise<PrometheusMetricsServer> {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/metrics';
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== path) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(e)}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve(new PrometheusMetricsServer(server, host, path));
    });
  });
}
