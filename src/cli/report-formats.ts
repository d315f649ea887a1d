// the report formats, in a module of their own so the command line declares `--format` without loading the checker

/** The output formats every reporting command accepts. */
export type ReportFormat = 'text' | 'json' | 'junit' | 'github';

/** The values `--format` accepts. */
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'json', 'junit', 'github'];
