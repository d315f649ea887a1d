// issue 9, points 6 and 8: replay's drift map is keyed by input, so it must neither reach Object.prototype nor grow without bound
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOOL_INVOKED_DESCRIPTOR } from '../../../generated/index.js';
import { replay } from '../../../src/replay/index.js';

const VALID_TOOL_INVOKED = {
  tool_name: 'search_docs',
  action_id: 'cfbfe645-b49b-41e4-845e-76f3fc3ce157',
  pipeline_run_id: null,
  request_id: null,
  timestamp: '2026-11-25T17:49:11.762381+00:00',
  payload_summary: { query: 'reset password' },
  behavior: 'support',
};
const HOSTILE = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sfe-replay-hostile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function lines(events: readonly unknown[]): Readable {
  return Readable.from([Buffer.from(events.map((e) => `${JSON.stringify(e)}\n`).join(''))]);
}

describe('replay against hostile input', () => {
  it('keeps __proto__, constructor and prototype as ordinary drift types and leaves Object.prototype alone', async () => {
    const path = join(dir, 'proto.ndjson');
    writeFileSync(
      path,
      `${[
        ...HOSTILE.map((t) => `{"type":${JSON.stringify(t)},"data":{}}`),
        // and as keys inside a known event's data
        `{"type":"tool.invoked","data":{"__proto__":{"polluted":true},"constructor":1,"prototype":2}}`,
        JSON.stringify({ type: 'tool.invoked', data: VALID_TOOL_INVOKED }),
      ].join('\n')}\n`,
    );
    const summary = await replay(path);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('count');
    expect(Object.getPrototypeOf(summary.drift)).toBeNull();
    for (const t of HOSTILE) {
      expect(Object.hasOwn(summary.drift, t)).toBe(true);
      expect(summary.drift[t]).toMatchObject({ count: 1, unknown: true });
    }
    const tool = summary.drift['tool.invoked'];
    expect(tool?.count).toBe(1);
    expect(Object.hasOwn(tool?.fields ?? {}, '/__proto__')).toBe(true);
    expect(Object.hasOwn(tool?.fields ?? {}, '/constructor')).toBe(true);
    expect(summary).toMatchObject({ read: HOSTILE.length + 2, invalid: HOSTILE.length + 1, replayed: 1 });
    // every later validation in the process still works
    expect(TOOL_INVOKED_DESCRIPTOR.validate(VALID_TOOL_INVOKED)).toBe(true);
    expect(TOOL_INVOKED_DESCRIPTOR.validate({})).toBe(false);
    const again = await replay(lines([{ type: 'tool.invoked', data: VALID_TOOL_INVOKED }]));
    expect(again).toMatchObject({ replayed: 1, invalid: 0 });
  });

  it('keeps at most maxDriftTypes distinct types and counts the invalid events of the others', async () => {
    const events = Array.from({ length: 50 }, (_, i) => ({ type: `x.type${i}.done`, data: {} }));
    const summary = await replay(lines([...events, ...events]), { maxDriftTypes: 10 });
    expect(Object.keys(summary.drift)).toHaveLength(10);
    expect(summary.driftOmitted).toBe(80);
    expect(summary.invalid).toBe(100);
    const defaults = await replay(lines(Array.from({ length: 1500 }, (_, i) => ({ type: `t${i}` }))));
    expect(Object.keys(defaults.drift)).toHaveLength(1000);
    expect(defaults.driftOmitted).toBe(500);
  });

  it('cuts a megabyte event type to 200 characters in the drift map', async () => {
    const huge = 'a'.repeat(1 << 20);
    const summary = await replay(
      lines([
        { type: huge, data: {} },
        { type: huge, data: {} },
      ]),
    );
    const keys = Object.keys(summary.drift);
    expect(keys).toHaveLength(1);
    expect(keys[0]?.length).toBeLessThan(250);
    expect(keys[0]).toContain(`(${1 << 20} characters)`);
    expect(summary.drift[keys[0] as string]?.count).toBe(2);
  });

  it('keeps at most 100 failing field paths per type and counts the rest', async () => {
    const data: Record<string, unknown> = { ...VALID_TOOL_INVOKED };
    for (let i = 0; i < 150; i++) data[`extra_${i}`] = i;
    const summary = await replay(lines([{ type: 'tool.invoked', data }]));
    const tool = summary.drift['tool.invoked'];
    expect(Object.keys(tool?.fields ?? {})).toHaveLength(100);
    expect(tool?.omittedFields).toBe(50);
  });
});
