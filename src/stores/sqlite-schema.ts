/** The SQLite schema: created if missing each time a store opens the file. */
export const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  pipeline_run_id TEXT,
  timestamp TEXT,
  recorded_at TEXT NOT NULL,
  data TEXT
);
CREATE INDEX IF NOT EXISTS events_type_idx ON events (type);
CREATE INDEX IF NOT EXISTS events_pipeline_run_id_idx ON events (pipeline_run_id);
CREATE INDEX IF NOT EXISTS events_timestamp_idx ON events (timestamp);
CREATE TABLE IF NOT EXISTS pipeline_runs (
  id TEXT PRIMARY KEY,
  pipeline_name TEXT NOT NULL,
  status TEXT NOT NULL,
  started_at TEXT,
  completed_at TEXT,
  failed_at TEXT,
  duration_ms INTEGER,
  error TEXT,
  failed_stage TEXT
);
CREATE INDEX IF NOT EXISTS pipeline_runs_status_idx ON pipeline_runs (status);
`;
