import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';

describe('stageflow-events demo --metrics-port', () => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-metrics-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the run’s Prometheus metrics until interrupted, then exits 0', async () => {
    const child = spawn(process.execPath, [CLI, 'demo', '--out', dir, '--metrics-port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /metrics: (http:\/\/\S+)/.exec(out);
        if (m?.[1] !== undefined) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`demo exited with ${code} before serving:\n${out}`)));
    });
    const text = await (await fetch(url)).text();
    expect(text).toMatch(/stage_duration_seconds_count\{stage="policy_guard",status="failed"\} 1/);
    expect(text).toMatch(/stage_started_total\{stage="summarize"\} 1/);
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGINT');
    });
    expect(code).toBe(0);
    expect(out).toContain(`report: ${join(dir, 'report.html')}`);
  });

  it('rejects a port that is not one and an endpoint that is not a URL with exit code 2', async () => {
    const port = await runCli(['demo', '--metrics-port', 'abc']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain(
      "stageflow-events demo: option '--metrics-port <port>' argument 'abc' is invalid. expected a TCP port 0-65535, got 'abc'.",
    );
    const otlp = await runCli(['demo', '--otlp-endpoint', 'localhost:4318']);
    expect(otlp.code).toBe(2);
    expect(otlp.stderr).toContain(
      "stageflow-events demo: --otlp-endpoint: expected an http(s) URL, got 'localhost:4318'",
    );
  });
});
