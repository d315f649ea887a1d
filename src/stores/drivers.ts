// The server drivers (`pg`, `ioredis`) are optional peer dependencies: loaded on the first use of a store of theirs, so
// that installing the package to emit events does not pull them. The types below are the structural subset the stores
// use, so that our declarations never import a driver's own types (a consumer without `@types/pg` still compiles).
import { importOptionalPeer } from '../errors.js';

/** The rows and row count of one PostgreSQL query, as `pg` returns them. */
export interface PgQueryResult<R> {
  readonly rows: R[];
  readonly rowCount: number | null;
}

/** The part of a `pg.Client` the PostgreSQL stores use. */
export interface PgClient {
  connect(): Promise<unknown>;
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<PgQueryResult<R>>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** One queued command list of an `ioredis` MULTI. */
export interface RedisMulti {
  xadd(key: string, ...args: (string | number)[]): RedisMulti;
  set(key: string, value: string, ...args: (string | number)[]): RedisMulti;
  exec(): Promise<[error: Error | null, result: unknown][] | null>;
}

/** The part of an `ioredis` client the Redis stores (and their callers) use; `call` reaches any other command, and the object is an `ioredis` `Redis` client, which a caller with `ioredis`'s types may cast it to. */
export interface RedisClient {
  connect(): Promise<void>;
  disconnect(): void;
  quit(): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  exists(...keys: string[]): Promise<number>;
  del(...keys: string[]): Promise<number>;
  multi(): RedisMulti;
  pipeline(commands: (string | number)[][]): { exec(): Promise<[error: Error | null, result: unknown][] | null> };
  xack(key: string, group: string, ...ids: string[]): Promise<number>;
  xgroup(...args: (string | number)[]): Promise<unknown>;
  xpending(key: string, group: string, ...args: (string | number)[]): Promise<unknown>;
}

/** Options `ioredis` takes that the stores set. */
export interface RedisClientOptions {
  readonly lazyConnect: boolean;
  readonly maxRetriesPerRequest: number;
  readonly enableOfflineQueue: boolean;
  readonly retryStrategy: () => null;
  readonly connectTimeout: number;
}

const PG_USERS = 'PostgreSQL stores (PostgresEventSink, PostgresPipelineRunLogger, postgres:// targets of replay)';
const REDIS_USERS = 'Redis stores (RedisStreamEventSink, RedisStreamReader, redis:// targets of replay)';

/** Loads `pg` and opens an unconnected client. */
export async function createPgClient(options: {
  readonly connectionString: string;
  readonly connectionTimeoutMillis: number;
}): Promise<PgClient> {
  const pg = await importOptionalPeer('pg', PG_USERS, () => import('pg'));
  return new pg.default.Client(options) as unknown as PgClient;
}

/** Loads `ioredis` and creates an unconnected client. */
export async function createRedisClient(url: string, options: RedisClientOptions): Promise<RedisClient> {
  const ioredis = await importOptionalPeer('ioredis', REDIS_USERS, () => import('ioredis'));
  return new ioredis.Redis(url, options) as unknown as RedisClient;
}

/** A prepared statement of the embedded SQLite store (`better-sqlite3`). */
export interface SqliteStatement {
  run(...params: unknown[]): { readonly changes: number; readonly lastInsertRowid: number | bigint };
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
}

/** The part of a `better-sqlite3` database the SQLite stores use. */
export interface SqliteDatabase {
  readonly open: boolean;
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  pragma(source: string): unknown;
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  close(): unknown;
}
