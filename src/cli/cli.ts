// the `stageflow-events` command: commander parses (src/cli/program.ts), one module per subcommand executes, loaded on demand
import { CommanderError } from 'commander';
import type { CommandIo } from './io.js';
import { processIo, UsageError } from './io.js';
import { BIN, buildProgram, commandOf, EXIT, usageMessage } from './program.js';

/** Runs one CLI invocation; returns the exit code (0 clean, 1 findings, 2 usage, read or internal error). */
export async function main(argv: readonly string[], io: CommandIo = processIo()): Promise<number> {
  let runner: ((io: CommandIo) => Promise<number>) | undefined;
  const program = buildProgram(io, (r) => {
    runner = r;
  });
  const prefix = (): string => {
    const c = commandOf(program, argv);
    return c === undefined ? BIN : `${BIN} ${c.name()}`;
  };
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    // --help, --version and `help` print and exit 0; a bare `stageflow-events` prints the help and is a usage error
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.ok;
    if (e.code === 'commander.help') return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    io.err(`${prefix()}: ${usageMessage(e)}`);
    io.err(`run '${prefix()} --help' for usage`);
    return EXIT.usage;
  }
  if (runner === undefined) return EXIT.ok;
  try {
    return await runner(io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${prefix()}: ${e.message}`);
      io.err(`run '${prefix()} --help' for usage`);
      return EXIT.usage;
    }
    io.err(`${prefix()}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT.usage;
  }
}
