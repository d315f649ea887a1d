// the run report: events -> model (pure) -> one self-contained HTML file
export { ReportBuilder, buildReportModel, familyOfType, percentile } from './model.js';
export type {
  AttemptKind,
  ReportAttempt,
  ReportBuilderOptions,
  ReportError,
  ReportEvent,
  ReportFinding,
  ReportMarker,
  ReportModel,
  ReportRun,
  ReportStatus,
  StageDurationStats,
} from './model.js';
export { embedJson, renderReportHtml } from './html.js';
export { isStoreTarget, readReportInput, snapshotFilesIn } from './read-events.js';
export type { ReportInputSummary } from './read-events.js';
