#!/usr/bin/env node
// the `stageflow-events` command: one dispatcher, one module per subcommand, loaded on demand
import type { CommandIo } from './io.js';
import { processIo } from './io.js';

type Command = (argv: readonly string[], io: CommandIo) => Promise<number>;

const COMMANDS: Readonly<Record<string, { readonly summary: string; readonly load: () => Promise<Command> }>> = {
  codegen: {
    summary: 'generate types, validators, emitters, sink stubs and the catalogue from schemas/',
    load: async () => (await import('./commands/codegen.js')).run,
  },
  validate: {
    summary: 'validate NDJSON / JSON payload files against the contract',
    load: async () => (await import('./commands/validate.js')).run,
  },
  fixtures: {
    summary: 'write a golden corpus of valid and near-invalid payloads for sink authors',
    load: async () => (await import('./commands/fixtures.js')).run,
  },
  check: {
    summary: 'one CI gate: codegen --check, schema lint and payload validation',
    load: async () => (await import('./commands/check.js')).run,
  },
  diff: {
    summary: 'compare two schema folders (or a git ref) by the payloads they accept: backward and forward verdicts',
    load: async () => (await import('./commands/diff.js')).run,
  },
  replay: {
    summary: 'replay a snapshot through validation into a sink',
    load: async () => (await import('./commands/replay.js')).run,
  },
  report: {
    summary:
      'write a self-contained HTML run report (timeline, outcomes, percentiles, findings) of a snapshot or store',
    load: async () => (await import('./commands/report.js')).run,
  },
  demo: {
    summary: 'run the demo pipeline on embedded defaults, record and replay its events',
    load: async () => (await import('./commands/demo.js')).run,
  },
};

function usage(io: CommandIo): void {
  io.out('usage: stageflow-events <command> [options]\n\ncommands:');
  for (const [name, c] of Object.entries(COMMANDS)) io.out(`  ${name.padEnd(9)} ${c.summary}`);
  io.out("\nrun 'stageflow-events <command> --help' for a command's options");
}

/** Runs one CLI invocation; returns the exit code (0 clean, 1 findings, 2 usage or internal error). */
export async function main(argv: readonly string[], io: CommandIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    usage(io);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.err(`stageflow-events: unknown command '${name}' (expected one of: ${Object.keys(COMMANDS).join(', ')})`);
    return 2;
  }
  try {
    return await (await command.load())(rest, io);
  } catch (e) {
    io.err(`stageflow-events ${name}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 2;
  }
}

if (
  process.argv[1] !== undefined &&
  import.meta.url === new URL(`file://${(await import('node:fs')).realpathSync(process.argv[1])}`).href
) {
  process.exitCode = await main(process.argv.slice(2));
}
