import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NdjsonForwarderSink } from '../../examples/third-party-sink/ndjson-forwarder-sink.js';
import { installEventContractMatcher } from '../../src/testing/event-contract-matcher.js';
import type { EventEnvelope } from '../../src/runtime/index.js';
import { runCli } from '../helpers/cli.js';

installEventContractMatcher();

let dir: string;
const readEvents = (file: string): EventEnvelope[] =>
  readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as EventEnvelope);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sfe-sink-'));
  expect((await runCli(['fixtures', join(dir, 'fixtures')])).code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('example third-party sink fed the fixtures', () => {
  it('forwards every valid fixture, and its output passes stageflow-events validate', async () => {
    const chunks: string[] = [];
    const sink = new NdjsonForwarderSink({ write: (c) => chunks.push(c), batchLines: 50 });
    const events = readEvents(join(dir, 'fixtures/valid.ndjson'));
    for (const e of events) sink.tryEmit(e);
    sink.shutdown();
    expect(sink.refused).toEqual([]);
    const output = join(dir, 'sink-output.ndjson');
    writeFileSync(output, chunks.join(''));
    const r = await runCli(['validate', '--format', 'json', output]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { valid: number }).valid).toBe(events.length);
    for (const line of readEvents(output).slice(0, 25)) expect(line).toMatchEventContract();
  });

  it('refuses every near-invalid fixture', () => {
    const sink = new NdjsonForwarderSink({ write: () => undefined });
    const events = readEvents(join(dir, 'fixtures/near-invalid.ndjson'));
    for (const e of events) sink.tryEmit(e);
    expect(sink.refused).toHaveLength(events.length);
  });
});
