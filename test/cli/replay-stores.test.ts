import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, sampleLines } from '../helpers/schemas.js';

const cli = join(repoRoot, 'dist/src/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'sfe-replay-stores-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const events = sampleLines().filter((l) => !l.type.startsWith('x-record.'));
const snapshot = join(dir, 'snapshot.ndjson');
writeFileSync(snapshot, `${events.map((e) => JSON.stringify({ type: e.type, data: e.data })).join('\n')}\n`);

function cliRun(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: dir });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function loadAndReadBack(target: string): void {
  const load = cliRun('replay', snapshot, '--to', target, '--format', 'json');
  expect(load.stderr).toBe('');
  expect(load.status).toBe(0);
  expect(JSON.parse(load.stdout)).toMatchObject({
    read: events.length,
    replayed: events.length,
    invalid: 0,
    delivery: { delivered: events.length, deadLettered: 0, dropped: 0 },
  });
  const back = join(dir, `back-${Date.now()}.ndjson`);
  const read = cliRun('replay', '--from', target, '--to', `ndjson:${back}`, '--format', 'json');
  expect(read.status).toBe(0);
  expect(JSON.parse(read.stdout)).toMatchObject({ read: events.length, invalid: 0 });
  const types = readFileSync(back, 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { type: string }).type);
  expect(types).toEqual(events.map((e) => e.type));
}

describe('stageflow-events replay with production stores', () => {
  it('loads a snapshot into SQLite and reads it back in order', () => {
    loadAndReadBack(`sqlite:${join(dir, 'events.db')}`);
  });

  it('refuses an unknown target with exit code 2 and names the accepted forms', () => {
    const r = cliRun('replay', snapshot, '--to', 'mysql://x');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      "unknown sink target 'mysql://x' (expected ndjson:<path>, sqlite:<path>, postgres://..., or redis://...)",
    );
  });

  const pg = process.env.STAGEFLOW_TEST_POSTGRES_URL;
  describe.skipIf(!pg)(`PostgreSQL${pg ? '' : ' (skipped: STAGEFLOW_TEST_POSTGRES_URL is not set)'}`, () => {
    it('loads a snapshot into PostgreSQL and reads it back', async () => {
      const { Client } = await import('pg');
      const c = new Client({ connectionString: pg });
      await c.connect();
      // a private schema, so the store tests running beside this file keep their own tables
      await c.query('DROP SCHEMA IF EXISTS replay_cli_test CASCADE');
      await c.query('CREATE SCHEMA replay_cli_test');
      await c.end();
      const url = new URL(pg as string);
      url.searchParams.set('options', '-c search_path=replay_cli_test');
      loadAndReadBack(url.toString());
    });

    it('fails fast on a wrong password: exit 1, every event dead-lettered, the server message on stderr', () => {
      const url = new URL(pg as string);
      url.password = 'wrong-password';
      const r = cliRun('replay', snapshot, '--to', url.toString(), '--format', 'json');
      expect(r.status).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({
        delivery: { delivered: 0, deadLettered: events.length, dropped: 0 },
      });
      expect(r.stderr).toMatch(
        /stageflow-events replay: sink: \d+ events dead-lettered: password authentication failed for user/,
      );
      expect(r.stderr).not.toContain('wrong-password');
    });
  });

  const redis = process.env.STAGEFLOW_TEST_REDIS_URL;
  describe.skipIf(!redis)(`Redis${redis ? '' : ' (skipped: STAGEFLOW_TEST_REDIS_URL is not set)'}`, () => {
    it('loads a snapshot into a Redis stream with replay --to redis:// and reads it back with --from', () => {
      loadAndReadBack(`${redis}?stream=replay-cli-${Date.now()}-${process.pid}`);
    });

    it('exits 1 and counts the events dead-lettered when the stream key holds another type', async () => {
      const { connectRedis } = await import('../../src/stores/index.js');
      const stream = `replay-cli-wrongtype-${Date.now()}-${process.pid}`;
      const c = await connectRedis(redis as string);
      await c.call('SET', stream, 'a string, not a stream');
      await c.quit();
      const r = cliRun('replay', snapshot, '--to', `${redis}?stream=${stream}`, '--format', 'json');
      expect(r.status).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({
        replayed: events.length,
        delivery: { delivered: 0, deadLettered: events.length, dropped: 0 },
      });
    });
  });
});
