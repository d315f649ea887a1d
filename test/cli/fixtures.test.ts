import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_DESCRIPTORS } from '../../generated/index.js';
import { runCli } from '../helpers/cli.js';

interface Manifest {
  valid: { line: number; label: string; type: string }[];
  nearInvalid: { line: number; label: string; type: string; findings: { keyword: string }[] }[];
}

let dir: string;
let manifest: Manifest;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sfe-fixtures-'));
  const r = await runCli(['fixtures', join(dir, 'corpus')]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^wrote \d+ valid and \d+ near-invalid payloads for 54 event types/);
  manifest = JSON.parse(readFileSync(join(dir, 'corpus/manifest.json'), 'utf8')) as Manifest;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stageflow-events fixtures', () => {
  it('covers every event type with valid examples and edge cases', () => {
    const templates = new Set(manifest.valid.map((v) => v.label.split('/')[0]));
    expect([...templates].sort()).toEqual(EVENT_DESCRIPTORS.map((d) => d.type).sort());
    const labels = manifest.valid.map((v) => v.label.split('/')[1] ?? '');
    for (const kind of [
      'example-1',
      'optional-fields-absent',
      'nullable-fields-null',
      'boundary-',
      'long-string-',
      'unicode-string-',
    ]) {
      expect(
        labels.some((l) => l.startsWith(kind)),
        kind,
      ).toBe(true);
    }
  });

  it('writes valid payloads that validate cleanly and near-invalid ones that all fail, each labelled in the manifest', async () => {
    const valid = await runCli(['validate', '--format', 'json', join(dir, 'corpus/valid.ndjson')]);
    expect(valid.code).toBe(0);
    expect((JSON.parse(valid.stdout) as { valid: number }).valid).toBe(manifest.valid.length);
    const bad = await runCli(['validate', '--format', 'json', join(dir, 'corpus/near-invalid.ndjson')]);
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout) as { invalid: number; total: number };
    expect(report.invalid).toBe(report.total);
    expect(report.total).toBe(manifest.nearInvalid.length);
    expect(manifest.nearInvalid.every((n) => n.findings.length > 0)).toBe(true);
    expect(manifest.nearInvalid.map((n) => n.label)).toEqual(
      expect.arrayContaining([
        'tool.invoked/bad-uuid-action_id',
        'tool.invoked/unknown-key',
        'tool.invoked/missing-required-tool_name',
      ]),
    );
  });

  it('validates its own output folder as is: the manifest is skipped, only the near-invalid lines fail', async () => {
    const r = await runCli(['validate', '--format', 'json', join(dir, 'corpus')]);
    const report = JSON.parse(r.stdout) as {
      total: number;
      invalid: number;
      files: { file: string; total: number; invalid: number }[];
      findings: { file: string; keyword: string }[];
    };
    expect(report.files.map((f) => f.file.split('/').pop())).toEqual([
      'manifest.json',
      'near-invalid.ndjson',
      'valid.ndjson',
    ]);
    expect(report.total).toBe(manifest.valid.length + manifest.nearInvalid.length);
    expect(report.invalid).toBe(manifest.nearInvalid.length);
    expect(report.findings.filter((f) => !f.file.endsWith('near-invalid.ndjson'))).toEqual([]);
    const clean = await runCli(['validate', join(dir, 'corpus/valid.ndjson'), join(dir, 'corpus/manifest.json')]);
    expect(clean.code).toBe(0);
  });

  it('exits 2 without an output folder or with an unknown option', async () => {
    expect((await runCli(['fixtures'])).code).toBe(2);
    expect((await runCli(['fixtures', '--nope', dir])).code).toBe(2);
  });
});
