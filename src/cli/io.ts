/** Where a CLI command reads and writes; tests pass their own to capture output. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
  /** Writes raw text to stdout without a newline (progress bars, large reports). */
  write(chunk: string): void;
  /** Writes raw text to stderr without a newline (progress bars redraw a line in place). */
  writeErr(chunk: string): void;
  readonly stdin: NodeJS.ReadableStream;
  readonly stderrIsTty: boolean;
  readonly cwd: string;
}

/** The real process's streams. */
export function processIo(): CommandIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    write: (chunk) => process.stdout.write(chunk),
    writeErr: (chunk) => process.stderr.write(chunk),
    stdin: process.stdin,
    stderrIsTty: process.stderr.isTTY === true,
    cwd: process.cwd(),
  };
}

/** A command line that the parser accepted but a command refuses (an unknown event type, two inputs that exclude each other): exit 2. */
export class UsageError extends Error {}
