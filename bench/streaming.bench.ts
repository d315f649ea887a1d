// issue 5: the cost of ChunkQueue puts (quiet, and evicting with a validated stream.chunk_dropped each) against a
// plain array push, and of a TraceContext header round trip, on this machine
import { ChunkQueue } from '../src/streaming/index.js';
import { TraceContext } from '../src/observability/index.js';
import { configureValidation } from '../src/runtime/validation-policy.js';
import { measure, printTable } from './harness.js';

configureValidation({ default: 'throw', unknown: 'throw' });

const noop = { emit: () => Promise.resolve(), tryEmit: () => undefined };

const queueResults = [
  measure('array push (peer)', (n) => {
    const a: number[] = [];
    for (let i = 0; i < n; i++) a.push(i);
  }),
  measure('ChunkQueue.tryPut, no events', (n) => {
    const q = new ChunkQueue<number>({ maxSize: n + 1, highWaterMark: 101, sink: noop });
    for (let i = 0; i < n; i++) q.tryPut(i);
  }),
  measure('ChunkQueue.tryPut, evicting + chunk_dropped', (n) => {
    const q = new ChunkQueue<number>({ maxSize: 64, dropOnOverflow: true, channel: 'tts_audio', sink: noop });
    for (let i = 0; i < n; i++) q.tryPut(i);
  }),
];
printTable('ChunkQueue puts (ops/s)', queueResults, 'array push (peer)');

const headers = {
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  'x-correlation-id': '18d3ff22-b15a-48dd-b9fe-b69c0653e440',
  'x-pipeline-run-id': '1bfbf018-efa7-4a3e-b017-aa9842760153',
  'x-baggage-tenant': 'acme',
};
const headerResults = [
  measure('JSON.parse(JSON.stringify(headers)) (peer)', (n) => {
    for (let i = 0; i < n; i++) JSON.parse(JSON.stringify(headers));
  }),
  measure('TraceContext.fromHeaders + toHeaders', (n) => {
    for (let i = 0; i < n; i++) TraceContext.fromHeaders(headers).toHeaders();
  }),
];
printTable('trace header round trip (ops/s)', headerResults, 'JSON.parse(JSON.stringify(headers)) (peer)');
