// production stores: SQLite (the embedded default), PostgreSQL and Redis Streams, each batching behind retries and a dead-letter file
export type { BatchWriter, WriteBatch } from './batch-writer.js';
export type {
  PgClient,
  PgQueryResult,
  RedisClient,
  RedisMulti,
  SqliteDatabase,
  SqliteStatement,
} from './drivers.js';
export { ResilientSink } from './resilient-sink.js';
export type { ResilientSinkMetrics, ResilientSinkOptions, RetryOptions } from './resilient-sink.js';
export { eventRow, envelopeFromRow } from './event-row.js';
export type { EventRow } from './event-row.js';
export type {
  PipelineRunRecord,
  RunCancelledInput,
  RunCompletedInput,
  RunFailedInput,
  RunStartedInput,
} from './pipeline-run-record.js';
export { SQLITE_SCHEMA } from './sqlite-schema.js';
export { SqliteEventSink, openSqliteStore, readSqliteEvents } from './sqlite-event-sink.js';
export type { SqliteEventSinkOptions, StoredEventQuery } from './sqlite-event-sink.js';
export { SqlitePipelineRunLogger, pipelineRunFromRow } from './sqlite-pipeline-run-logger.js';
export type { SqlitePipelineRunLoggerOptions } from './sqlite-pipeline-run-logger.js';
export { POSTGRES_MIGRATIONS, migratePostgres } from './postgres-migrations.js';
export type { PostgresMigration } from './postgres-migrations.js';
export { PostgresEventSink, connectPostgresStore, readPostgresEvents } from './postgres-event-sink.js';
export type { PostgresEventSinkOptions } from './postgres-event-sink.js';
export { PostgresPipelineRunLogger } from './postgres-pipeline-run-logger.js';
export type { PostgresPipelineRunLoggerOptions } from './postgres-pipeline-run-logger.js';
export {
  DEFAULT_REDIS_STREAM,
  RedisStreamEventSink,
  connectRedis,
  envelopeFromStreamFields,
  redisStreamFor,
} from './redis-stream-event-sink.js';
export type { RedisStreamEventSinkOptions } from './redis-stream-event-sink.js';
export { RedisStreamReader } from './redis-stream-reader.js';
export type { RedisStreamReaderOptions, StreamEntry } from './redis-stream-reader.js';
export { StoreSink, createPostgresSink, createRedisStreamSink, createSqliteSink } from './store-sink.js';
export type {
  CreatePostgresSinkOptions,
  CreateRedisStreamSinkOptions,
  CreateSqliteSinkOptions,
  StoreQueueOptions,
  StoreSinkMetrics,
} from './store-sink.js';
export { maskTarget, storeSinkFromTarget, storeSourceFromTarget } from './store-targets.js';
export type { StoreSource, StoreTargetOptions } from './store-targets.js';
