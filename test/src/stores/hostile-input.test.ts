// issue 9, point 6 for the stores: __proto__, constructor and prototype as event types and as payload keys are stored
// and read back as ordinary strings and keys, in SQLite, PostgreSQL and Redis
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../src/runtime/types.js';
import { storeSinkFromTarget, storeSourceFromTarget } from '../../../src/stores/index.js';
import { POSTGRES_URL, REDIS_URL } from '../../helpers/store-servers.js';

const HOSTILE = ['__proto__', 'constructor', 'prototype'];

function hostileEvents(marker: string): EventEnvelope[] {
  return [
    ...HOSTILE.map((type) => ({ type, data: { marker } })),
    {
      type: 'x.keys',
      data: JSON.parse(`{"marker":"${marker}","__proto__":{"polluted":1},"constructor":2,"prototype":3}`),
    },
  ];
}

async function roundTrip(target: string, marker: string): Promise<EventEnvelope[]> {
  const sink = storeSinkFromTarget(target);
  expect(sink).toBeDefined();
  for (const e of hostileEvents(marker)) await sink?.emit(e);
  await sink?.shutdown?.();
  const source = storeSourceFromTarget(target);
  const read: EventEnvelope[] = [];
  for await (const batch of source?.batches() ?? [])
    for (const e of batch) if ((e.data as { marker?: unknown } | undefined)?.marker === marker) read.push(e);
  await source?.close();
  return read;
}

function expectIntact(read: readonly EventEnvelope[], marker: string): void {
  expect(read.map((e) => e.type)).toEqual([...HOSTILE, 'x.keys']);
  const keys = read[3]?.data as Record<string, unknown>;
  expect(Object.keys(keys).sort()).toEqual(['__proto__', 'constructor', 'marker', 'prototype']);
  expect(Object.getOwnPropertyDescriptor(keys, '__proto__')?.value).toEqual({ polluted: 1 });
  expect(keys.constructor).toBe(2);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(read[0]?.data).toEqual({ marker });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hostile-store-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stores keep hostile types and keys intact', () => {
  it('SQLite', async () => {
    const marker = randomUUID();
    expectIntact(await roundTrip(`sqlite:${join(dir, 'hostile.db')}`, marker), marker);
  });

  it.skipIf(!POSTGRES_URL)('PostgreSQL', async () => {
    const marker = randomUUID();
    expectIntact(await roundTrip(POSTGRES_URL ?? '', marker), marker);
  });

  it.skipIf(!REDIS_URL)('Redis', async () => {
    const marker = randomUUID();
    const stream = `hostile-${marker}`;
    expectIntact(await roundTrip(`${REDIS_URL}?stream=${stream}&group=g-${marker}&consumer=c`, marker), marker);
  });
});
