// Issue 12's journey on a scratch copy of the repository: record a real snapshot with v1 of tool.invoked, break the
// schema (diff --against HEAD fails with a counterexample), publish the change as tool.invoked.v2.json instead,
// codegen writes the upcaster stub once, check fails while it is the stub, fill it in, replay the v1 snapshot with
// --upcast, check passes; plus both versions' validators and types and the generated upcaster test, which upcasts
// every example and every valid generated fixture of v1 and names the fixture an upcaster mishandles.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchRepo, type ScratchRepo } from '../helpers/scratch-repo.js';

const V1 = 'schemas/tool/tool.invoked.v1.json';
const V2 = 'schemas/tool/tool.invoked.v2.json';
const STUB = 'upcasters/tool.invoked.v1-to-v2.ts';

/** v1 with `behavior` renamed to `execution_mode`: a breaking change (a v1 payload no longer validates). */
function renamed(v1: Record<string, unknown>, version: number): Record<string, unknown> {
  const props = { ...(v1.properties as Record<string, unknown>) };
  props.execution_mode = props.behavior;
  delete props.behavior;
  return {
    ...v1,
    $id: String(v1.$id).replace('.v1.json', `.v${version}.json`),
    'x-version': version,
    required: (v1.required as string[]).map((k) => (k === 'behavior' ? 'execution_mode' : k)),
    properties: props,
    examples: (v1.examples as Record<string, unknown>[]).map(({ behavior, ...rest }) => ({
      ...rest,
      execution_mode: behavior,
    })),
  };
}

const RECORD = `
import { NdjsonFileEventSink } from './src/sinks/ndjson-file-event-sink.js';
import { emitToolInvoked, findEventDescriptor } from './generated/index.js';
const sink = new NdjsonFileEventSink({
  path: process.argv[2],
  describe: (t) => { const d = findEventDescriptor(t); return d && { schemaId: d.schemaId, version: d.version }; },
});
for (let i = 0; i < 3; i++)
  emitToolInvoked({
    tool_name: 'search_docs',
    action_id: \`cfbfe645-b49b-41e4-845e-76f3fc3ce15\${i}\`,
    pipeline_run_id: null,
    request_id: null,
    payload_summary: { query: 'reset password' },
    behavior: i === 2 ? null : 'support',
  }, { sink });
await sink.shutdown();
`;

const UPCASTER = `import type { ToolInvokedDataV1, ToolInvokedDataV2 } from '../generated/index.js';

export function upcast(event: ToolInvokedDataV1): ToolInvokedDataV2 {
  const { behavior, ...rest } = event;
  return { ...rest, execution_mode: behavior };
}
`;

/**
 * Passes every v1 example (they all carry a pipeline_run_id) but mishandles null: a v1 record outside a run becomes
 * `pipeline_run_id: ''`, which type-checks yet is no UUID, so only the generated `nullable-fields-null` fixture catches it.
 */
const NULL_MISHANDLING_UPCASTER = `import type { ToolInvokedDataV1, ToolInvokedDataV2 } from '../generated/index.js';

export function upcast(event: ToolInvokedDataV1): ToolInvokedDataV2 {
  const { behavior, ...rest } = event;
  return { ...rest, pipeline_run_id: rest.pipeline_run_id ?? '', execution_mode: behavior };
}
`;

const TYPES = `import type { ToolInvokedData, ToolInvokedDataV1, ToolInvokedDataV2, ToolInvokedV1 } from './generated/index.js';
const base = { tool_name: 't', action_id: 'a', pipeline_run_id: null, request_id: null, timestamp: 'x', payload_summary: {} };
export const v1: ToolInvokedDataV1 = { ...base, behavior: null };
export const v2: ToolInvokedDataV2 = { ...base, execution_mode: null };
export const latest: ToolInvokedData = v2;
export const envelope: ToolInvokedV1 = { type: 'tool.invoked', data: v1 };
// @ts-expect-error a v1 payload is not a v2 payload
export const wrong: ToolInvokedDataV2 = v1;
// @ts-expect-error the unversioned name is the latest (v2)
export const old: ToolInvokedData = v1;
`;

describe('schema evolution journey (scratch copy of the repository)', { timeout: 600_000 }, () => {
  let repo: ScratchRepo;
  beforeAll(() => {
    repo = scratchRepo({ git: true });
  });
  afterAll(() => repo?.remove());

  it('records a real snapshot with v1', () => {
    repo.write('record.ts', RECORD);
    const r = repo.node('record.ts', 'old.ndjson');
    expect(r.stderr).toBe('');
    const lines = repo
      .read('old.ndjson')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ type: 'tool.invoked', schema_version: 1, data: { behavior: 'support' } });
  });

  it('an incompatible edit of v1 fails check --against main with a counterexample', () => {
    const v1 = JSON.parse(repo.read(V1)) as Record<string, unknown>;
    repo.write(V1, `${JSON.stringify(renamed(v1, 1), null, 2)}\n`);
    const r = repo.cli('check', '--against', 'main');
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toContain('tool.invoked');
    expect(r.stdout).toContain('counterexample');
  });

  it('the corpus gate counts the recorded events the in-place edit would reject and recommends a major bump', () => {
    const r = repo.cli('diff', '--against', 'main', '--corpus', 'old.ndjson');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('tool.invoked: 3 records, 3 rejected by the new schemas (0.0% still validate)');
    expect(r.stdout).toContain('recommended bump: major');
    repo.git('checkout', '--', V1);
    // a compatible change (a new optional field): minor, since every recorded event still validates
    const v1 = JSON.parse(repo.read(V1)) as { properties: Record<string, unknown> };
    v1.properties.note = { description: 'A free-form note.', type: 'string' };
    repo.write(V1, `${JSON.stringify(v1, null, 2)}\n`);
    const ok = repo.cli('diff', '--against', 'main', '--corpus', 'old.ndjson', '--format', 'json');
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    const report = JSON.parse(ok.stdout) as { corpus: { rejected: number; records: number }; recommendedBump: string };
    expect(report.corpus).toMatchObject({ records: 3, rejected: 0 });
    expect(report.recommendedBump).toBe('minor');
    repo.git('checkout', '--', V1);
  });

  it('v2 beside v1: codegen writes both versions and the upcaster stub once', () => {
    const v1 = JSON.parse(repo.read(V1)) as Record<string, unknown>;
    repo.write(V2, `${JSON.stringify(renamed(v1, 2), null, 2)}\n`);
    const r = repo.node('src/cli/main.ts', 'codegen');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote the upcaster stub ${STUB}`);
    for (const f of ['types.ts', 'validate.js', 'validate.d.ts', 'descriptor.ts'])
      expect(existsSync(join(repo.dir, 'generated/tool/tool-invoked-v1', f)), f).toBe(true);
    expect(repo.read('generated/tool/tool-invoked/types.ts')).toContain(
      'export type ToolInvokedDataV2 = ToolInvokedData;',
    );
    expect(repo.read(STUB)).toContain('export function upcast(_event: ToolInvokedDataV1): ToolInvokedDataV2 {');
  });

  it('check fails while the upcaster is the stub; codegen never overwrites the author file', () => {
    const r = repo.cli('check');
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toContain("still has the stub's body");
    repo.write(STUB, UPCASTER);
    expect(repo.node('src/cli/main.ts', 'codegen').status).toBe(0);
    expect(repo.read(STUB)).toBe(UPCASTER);
  });

  it('check fails when a step has no upcaster at all', () => {
    repo.git('stash', '-q', '-u', '--', 'upcasters');
    const r = repo.cli('check');
    repo.git('stash', 'pop', '-q');
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout + r.stderr).toContain('has no upcaster');
    expect(repo.read(STUB)).toBe(UPCASTER);
    repo.git('stash', '-q', '-u', '--', 'upcasters');
    const c = repo.node('src/cli/main.ts', 'codegen', '--check');
    repo.git('stash', 'pop', '-q');
    expect(c.status).toBe(1);
    expect(c.stderr).toContain(`${STUB} is missing`);
  });

  it('both versions have validators and descriptors; the unversioned names are the latest', async () => {
    const g = (await import(pathToFileURL(join(repo.dir, 'generated/index.ts')).href)) as Record<string, never>;
    const v1 = JSON.parse(repo.read(V1)) as { examples: unknown[] };
    const v2 = JSON.parse(repo.read(V2)) as { examples: unknown[] };
    const call = (name: string, x: unknown): boolean => (g[name] as unknown as (v: unknown) => boolean)(x);
    expect(call('validateToolInvokedV1', v1.examples[0])).toBe(true);
    expect(call('validateToolInvokedV1', v2.examples[0])).toBe(false);
    expect(call('validateToolInvokedV2', v2.examples[0])).toBe(true);
    expect(call('validateToolInvoked', v2.examples[0])).toBe(true);
    expect(call('validateToolInvoked', v1.examples[0])).toBe(false);
    const d = g.TOOL_INVOKED_DESCRIPTOR as unknown as { version: number };
    expect(d.version).toBe(2);
    const find = g.findEventDescriptorVersion as unknown as (t: string, v: number) => unknown;
    expect(find('tool.invoked', 1)).toBe(g.TOOL_INVOKED_V1_DESCRIPTOR);
    expect(find('tool.invoked', 2)).toBe(g.TOOL_INVOKED_DESCRIPTOR);
    expect(find('tool.invoked', 3)).toBeUndefined();
  });

  it('type-checks both versions, the upcaster and the generated upcaster test with the compiler', () => {
    repo.write('types-check.ts', TYPES);
    repo.write(
      'tsconfig.scratch.json',
      JSON.stringify({
        extends: './tsconfig.json',
        include: ['types-check.ts', 'upcasters', 'generated/upcasters.test.ts'],
      }),
    );
    const r = repo.node('node_modules/typescript/bin/tsc', '-p', 'tsconfig.scratch.json');
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the generated test upcasts every v1 example and validates it against v2', () => {
    repo.write('vitest.scratch.config.ts', "export default { test: { include: ['generated/**/*.test.ts'] } };\n");
    const r = repo.node(
      'node_modules/vitest/vitest.mjs',
      'run',
      '--config',
      'vitest.scratch.config.ts',
      '--reporter',
      'verbose',
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('tool.invoked v1 -> v2: every example of v1, upcast, is a valid v2');
    expect(r.stdout).toContain('tool.invoked v1 -> v2: every valid generated fixture of v1, upcast, is a valid v2');
  });

  it('the generated test upcasts every valid generated fixture of v1 and names the one a mishandled null breaks', () => {
    repo.write(STUB, NULL_MISHANDLING_UPCASTER);
    const r = repo.node(
      'node_modules/vitest/vitest.mjs',
      'run',
      '--config',
      'vitest.scratch.config.ts',
      '--reporter',
      'verbose',
    );
    repo.write(STUB, UPCASTER);
    const out = r.stdout + r.stderr;
    expect(r.status, out).toBe(1);
    // the examples alone pass: only the generated edge-case fixture fails, by its label and the v2 field it breaks
    expect(out).toMatch(/✓ [^\n]*tool\.invoked v1 -> v2: every example of v1, upcast, is a valid v2/);
    expect(out).toMatch(/× [^\n]*tool\.invoked v1 -> v2: every valid generated fixture of v1, upcast, is a valid v2/);
    expect(out).toContain('tool.invoked/nullable-fields-null: not a valid v2: /pipeline_run_id');
    expect(out).not.toContain('tool.invoked/example-1:');
  });

  it('replay picks the validator by the version each record states; --upcast carries v1 forward and counts it', () => {
    const byRecord = repo.cli('replay', 'old.ndjson');
    expect(byRecord.status, byRecord.stdout).toBe(0);
    const latest = repo.cli('replay', 'old.ndjson', '--schema-version', 'latest');
    expect(latest.status).toBe(1);
    expect(latest.stdout).toContain("drift 'tool.invoked': 3 invalid");
    const up = repo.cli('replay', 'old.ndjson', '--upcast', '--schema-version', 'latest', '--to', 'ndjson:new.ndjson');
    expect(up.status, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toContain('upcast tool.invoked v1->v2: 3 records');
    const out = readFileSync(join(repo.dir, 'new.ndjson'), 'utf8').trim().split('\n');
    expect(out).toHaveLength(3);
    const first = JSON.parse(out[0] as string) as { data: Record<string, unknown> };
    expect(first.data.execution_mode).toBe('support');
    expect('behavior' in first.data).toBe(false);
  });

  it('the corpus gate upcasts v1 records before validating them against v2', () => {
    const r = repo.cli('diff', '--against', 'main', '--corpus', 'old.ndjson', '--upcast', '--format', 'json');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      corpus: { types: { eventType: string; upcast: number; rejected: number }[] };
    };
    expect(report.corpus.types).toEqual([{ eventType: 'tool.invoked', records: 3, rejected: 0, upcast: 3 }]);
  });

  it('validate picks the version a record states, and --upcast carries v1 records forward with per-step counts', () => {
    expect(repo.cli('validate', 'old.ndjson').status).toBe(0);
    const latest = repo.cli('validate', 'old.ndjson', '--schema-version', 'latest');
    expect(latest.status).toBe(1);
    const up = repo.cli('validate', 'old.ndjson', '--upcast', '--schema-version', 'latest');
    expect(up.status, up.stdout + up.stderr).toBe(0);
    expect(up.stderr).toContain('upcast tool.invoked v1->v2: 3 records');
    // a worker thread loads the upcasters itself and sends its step counts back: a file of several shares (64 KiB
    // at least each), so the worker gets some
    const old = repo.read('old.ndjson');
    const copies = Math.ceil((256 << 10) / old.length);
    repo.write('old-many.ndjson', old.repeat(copies));
    const args = ['validate', 'old-many.ndjson', '--upcast', '--schema-version', 'latest'];
    const one = repo.cli(...args, '--jobs', '1');
    const two = repo.cli(...args, '--jobs', '2');
    expect(one.status, one.stdout + one.stderr).toBe(0);
    expect(one.stderr).toContain(`upcast tool.invoked v1->v2: ${3 * copies} records`);
    expect([two.status, two.stdout, two.stderr]).toEqual([one.status, one.stdout, one.stderr]);
  });

  it('check passes once the upcaster is written', () => {
    const r = repo.cli('check', '--against', 'main');
    expect(r.stdout + r.stderr).not.toContain('upcaster');
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
