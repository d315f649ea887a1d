// every command and flag of `stageflow-events`, declared once on commander; each command module receives parsed options
import { readFileSync } from 'node:fs';
import { Command, type CommanderError, InvalidArgumentError, Option } from 'commander';
import { MODES } from '../evolution/modes.js';
import { REPORT_FORMATS } from './report-formats.js';
import type { CommandIo } from './io.js';
import type { Mode } from '../evolution/modes.js';

/** The name users type. */
export const BIN = 'stageflow-events';

/** Exit codes shared by every command: 0 clean, 1 findings (or a failed run), 2 usage, read or internal error. */
export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

/** Options shared by `validate` and `check`. */
export interface PayloadOptions {
  readonly format: (typeof REPORT_FORMATS)[number];
  readonly schema?: string | undefined;
  readonly allowUnknown: boolean;
  readonly maxLineBytes: number;
  readonly maxFindings: number;
  /** Worker threads that check lines; undefined = none (the main thread checks). */
  readonly jobs?: number | undefined;
  /** Which schema version checks an envelope (default `record`: the `schema_version` a recorder line states). */
  readonly schemaVersion?: 'record' | 'latest' | number | undefined;
  /** Carry envelopes of an older version forward through the upcasters first. */
  readonly upcast?: boolean | undefined;
}

/** Parses `--schema-version`: `record`, `latest` or a positive integer. */
export function schemaVersionArg(value: string): 'record' | 'latest' | number {
  if (value === 'record' || value === 'latest') return value;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected record, latest or a positive integer, got '${value}'.`);
  return n;
}

function packageVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'stageflow-events' && pkg.version !== undefined) return pkg.version;
    } catch {
      // not this level: src/cli when run from source, dist/src/cli when built
    }
  }
  return '0.0.0';
}

/** Parses a positive integer flag value, or refuses it in commander's words. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a positive integer, got '${value}'.`);
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a positive number, got '${value}'.`);
  return n;
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number >= 0, got '${value}'.`);
  return n;
}

function tcpPort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError(`expected a TCP port 0-65535, got '${value}'.`);
  return n;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function examples(lines: readonly [string, string][]): string {
  const width = Math.max(...lines.map(([c]) => c.length));
  return `\nExamples:\n${lines.map(([c, what]) => `  $ ${c.padEnd(width)}  # ${what}`).join('\n')}\n`;
}

function exitCodes(text: string): string {
  return `\nExit codes:\n  ${text}\n`;
}

function payloadOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--format <format>', 'report format').choices(REPORT_FORMATS).default('text'))
    .option(
      '--schema <event-type>',
      'inputs hold bare payloads (data only) of this event type; a template such as stage.{name}.completed or a concrete type such as stage.llm.completed',
    )
    .option('--allow-unknown', 'event types no schema claims are warnings, not errors', false)
    .option('--max-line-bytes <n>', 'longer lines are reported and skipped', positiveInt, 8 << 20)
    .option('--max-findings <n>', 'keep at most n findings in the report, count the rest', positiveInt, 10_000)
    .option(
      '--jobs <n>',
      'check plain files on n worker threads, each reading its own share of a file (default: the free cores when the plain files add up to 16 MiB or more, else 1: the main thread checks); the report is the same as with --jobs 1',
      positiveInt,
    )
    .option(
      '--schema-version <v>',
      'which schema version checks an envelope: record (default: the schema_version a recorder line states, the latest for bare {type, data} lines), latest, or a number',
      schemaVersionArg,
    )
    .option(
      '--upcast',
      "carry envelopes of an older version forward through upcasters/ first (each step's count on stderr)",
    );
}

type Runner = (io: CommandIo) => Promise<number>;

/** Builds the program; `run` receives the action of the command that matched (commander parses, we execute after). */
export function buildProgram(io: CommandIo, run: (runner: Runner) => void): Command {
  const program = new Command(BIN)
    .description(
      'Schema-first observability events for Stageflow-style pipelines: codegen, validation, replay, a CI gate',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.write(s),
      writeErr: (s) => io.writeErr(s),
      outputError: () => {
        // printed by main() in the product's one error style
      },
    })
    .addHelpText(
      'after',
      examples([
        ['stageflow-events demo', 'run the demo pipeline on embedded defaults'],
        ['stageflow-events validate events.ndjson', 'check payloads against the contract'],
        ['stageflow-events check "snapshots/**/*.ndjson"', 'the one CI gate'],
        ['stageflow-events completion bash', 'print a bash completion script'],
      ]) + exitCodes('0 clean, 1 findings or a failed run, 2 usage, read or internal error'),
    );

  payloadOptions(
    program
      .command('validate')
      .summary('validate NDJSON / JSON payload files against the contract')
      .description(
        'Checks NDJSON ({"type","data"} per line), JSON files (one document: an array of events or one event), directories' +
          ' (every .ndjson, .jsonl, .json, and .gz of them, recursively), globs, gzip and stdin (-) against the event contract.',
      )
      .argument('<inputs...>', 'paths, directories, globs (quote them) or - for stdin'),
  )
    .addHelpText(
      'after',
      examples([
        ['stageflow-events validate events.ndjson', 'one file'],
        ["stageflow-events validate 'sink-out/**/*.ndjson.gz' --format github", 'annotations in GitHub Actions'],
        ['kafka-dump | stageflow-events validate -', 'stdin'],
        ['stageflow-events validate --schema tool.invoked payloads.ndjson', 'bare payloads of one type'],
      ]) + exitCodes('0 all valid, 1 a payload is invalid, 2 usage or read error'),
    )
    .action((inputs: string[], opts: PayloadOptions) =>
      run(async (io) => (await import('./commands/validate.js')).execute(inputs, opts, io)),
    );

  payloadOptions(
    program
      .command('check')
      .summary('one CI gate: codegen --check, schema lint and payload validation')
      .description(
        'One CI gate with one exit code: codegen --check (generated/ is up to date), a lint of the schemas (every field' +
          ' described, examples present and valid, objects closed except the open stage lifecycle payloads, no unused $defs' +
          ' in schemas/common, event types unique) and validation of the payload files given.',
      )
      .argument('[inputs...]', 'payload paths, directories, globs or - for stdin')
      .option('--schemas <dir>', 'the schemas folder', 'schemas')
      .option('--generated <dir>', 'the generated folder', 'generated')
      .option(
        '--against <git-ref>',
        "also compare the schemas with the same folder at <git-ref> (see 'diff'): an incompatible or undecided change made in place to an existing major version (a *.v1.json edited or removed) is an error with its counterexample",
      )
      .addOption(
        new Option(
          '--mode <mode>',
          "the compatibility mode for --against (default backward; a schema's own x-compatibility overrides it)",
        ).choices(MODES),
      ),
  )
    .addHelpText(
      'after',
      examples([
        ['stageflow-events check', 'schemas and generated code only'],
        ["stageflow-events check 'test/fixtures/**/*.ndjson' --format junit", 'with payloads, a JUnit report'],
        ['stageflow-events check --against origin/main', 'also refuse an incompatible in-place schema edit'],
      ]) + exitCodes('0 clean, 1 a finding, 2 usage or read error'),
    )
    .action(
      (
        inputs: string[],
        opts: PayloadOptions & { schemas: string; generated: string; against?: string; mode?: Mode },
      ) => run(async (io) => (await import('./commands/check.js')).execute(inputs, opts, io)),
    );

  program
    .command('diff')
    .summary('compare two schema folders (or a git ref) by the payloads they accept: backward and forward verdicts')
    .description(
      'Compares two schema folders by the payloads each schema accepts (not by their text) and says, per event type, whether the change is backward compatible (every payload the old schema accepts, the new one accepts: recorded snapshots and old producers stay valid) and forward compatible (every payload the new schema accepts, the old one accepts: sinks still on the old contract accept the new events). Every break comes with a payload that shows it, checked with the validators of both sides; a pair of keywords the analysis cannot decide gives the verdict null.',
    )
    .option('--old <dir>', 'the old schemas folder')
    .option(
      '--against <git-ref>',
      'the old schemas: the --new folder as it is at <git-ref> (read with git, no checkout)',
    )
    .option('--new <dir>', 'the new schemas folder', 'schemas')
    .addOption(
      new Option(
        '--mode <mode>',
        "which directions decide the verdict; a schema's own x-compatibility (backward, forward, full or none) overrides it for its event type",
      )
        .choices(MODES)
        .default('backward'),
    )
    .addOption(new Option('--format <format>', 'report format').choices(REPORT_FORMATS).default('text'))
    .option(
      '--corpus <file-or-dir>',
      'replay recorded events (snapshot files or folders) against the new schemas: per event type, how many records the change would reject, and the recommended bump (repeatable)',
      collect,
    )
    .option('--upcast', 'with --corpus: carry records of older versions forward through upcasters/ first')
    .addHelpText(
      'after',
      examples([
        ['stageflow-events diff --against main', 'what the working tree changes against main'],
        ['stageflow-events diff --against main --corpus snapshots/', 'also replay recorded events: the corpus gate'],
        ['stageflow-events diff --old v1-schemas --new schemas --format json', 'two folders, machine-readable'],
      ]) +
        exitCodes(
          '0 compatible under the mode (and, with --corpus, every record validates), 1 breaking, undecided or a record rejected, 2 usage or read error',
        ),
    )
    .action(
      (opts: {
        old?: string;
        against?: string;
        new: string;
        mode: Mode;
        format: (typeof REPORT_FORMATS)[number];
        corpus?: string[];
        upcast?: boolean;
      }) => run(async (io) => (await import('./commands/diff.js')).execute(opts, io)),
    );

  program
    .command('report')
    .summary(
      'write a self-contained HTML run report (timeline, outcomes, percentiles, findings) of a snapshot or store',
    )
    .description(
      "Writes one self-contained HTML report (no network at view time) of the runs in a snapshot (NDJSON, gzip detected), a directory of snapshots, or a store (sqlite:<path>, postgres://..., redis://...): a timeline per run with one bar per stage attempt, child runs nested under their spawning stage, tool calls, approvals and stream events on their stage; each run's outcome, error summary, correlation ids and trace id; stage duration percentiles from stage.wide events, event counts by family and the validation findings of the input.",
    )
    .argument('<input>', 'a snapshot, a folder of snapshots, or a store target')
    .option(
      '--out <file>',
      'where to write the report (default: report.html beside the snapshot, in the folder, or in the current folder for a store)',
    )
    .option('--title <text>', "the report's title (default: 'stageflow run report: <input>')")
    .option('--max-payloads <n>', 'keep at most n event payloads for click-to-inspect (default 50000)', wholeNumber)
    .addHelpText(
      'after',
      examples([
        ['stageflow-events report demo-run/events.ndjson', 'writes demo-run/report.html'],
        ['stageflow-events report sqlite:events.db --out runs.html', 'every run in a store'],
      ]) +
        exitCodes('0 written, 1 written but the input had invalid or corrupt lines, 2 usage error or unreadable input'),
    )
    .action((input: string, opts: { out?: string; title?: string; maxPayloads?: number }) =>
      run(async (io) => (await import('./commands/report.js')).execute({ input, ...opts }, io)),
    );

  program
    .command('replay')
    .summary('replay a snapshot through validation into a sink')
    .description(
      'Streams a snapshot (our recorder\'s NDJSON, bare {"type","data"} lines, gzip too) or a store through today\'s schemas,' +
        ' reports drift per type and corrupt lines, and re-emits the valid events in the original order.',
    )
    .argument('[file]', 'the snapshot, or - for stdin (omit with --from)')
    .option(
      '--to <target>',
      'deliver what is replayed: ndjson:<path>, sqlite:<path>, postgres://user:pass@host/db or redis://host:port/db (default: a dry run)',
    )
    .option('--from <store>', 'read stored events instead of a file: sqlite:<path>, postgres://..., redis://...')
    .option('--speed <n>', 'keep the recorded gaps divided by n (default: as fast as possible)', positiveNumber)
    .option('--type <glob>', "replay only these types (repeatable: --type 'stage.*' --type tool.completed)", collect)
    .option('--run <pipeline_run_id>', 'replay only events of this pipeline run')
    .option('--no-validate', 'skip re-validation (and drift)')
    .option(
      '--schema-version <v>',
      'which schema version validates a record: record (default: the version the line states, the latest for bare {type, data} lines), latest, or a number',
    )
    .option(
      '--upcast',
      "carry records of an older version forward through upcasters/ before validating against the latest schema (replayed events carry the upcast data); prints each step's count",
    )
    .addOption(new Option('--format <format>', 'summary format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      examples([
        ['stageflow-events replay events.ndjson', 'a dry run: drift and corrupt lines'],
        ['stageflow-events replay events.ndjson --to sqlite:events.db', 'load a snapshot into SQLite'],
        ['stageflow-events replay --from sqlite:events.db --to ndjson:copy.ndjson', 'a store back to a snapshot'],
        ['stageflow-events replay old-v1.ndjson --upcast', 'carry v1 records forward to the latest version'],
      ]) +
        exitCodes(
          '0 everything valid and delivered, 1 an event was invalid, a line corrupt or an event undelivered, 2 usage or read error',
        ),
    )
    .action((file: string | undefined, opts) =>
      run(async (io) => (await import('./commands/replay.js')).execute(file, opts, io)),
    );

  program
    .command('fixtures')
    .summary('write a golden corpus of valid and near-invalid payloads for sink authors')
    .description(
      'Writes a golden corpus for sink authors into <out-dir>:\n' +
        '  valid.ndjson         every schema example plus edge cases a conforming sink must accept\n' +
        '  near-invalid.ndjson  payloads one step away from valid, which a strict sink should refuse\n' +
        '  manifest.json        the label of every line, and for near-invalid lines the findings that make them invalid',
    )
    .argument('<out-dir>', 'the folder to write (created if missing)')
    .option('--schemas <dir>', 'the schemas folder (default: the one shipped with stageflow-events)')
    .addHelpText(
      'after',
      examples([['stageflow-events fixtures sink-fixtures/', 'then feed valid.ndjson to your sink in its CI']]) +
        exitCodes('0 written, 2 usage or schema error'),
    )
    .action((out: string, opts: { schemas?: string }) =>
      run(async (io) => (await import('./commands/fixtures.js')).execute(out, opts, io)),
    );

  program
    .command('codegen')
    .summary('generate types, validators, emitters, sink stubs and the catalogue from schemas/')
    .description(
      'Turns every schema under --schemas into TypeScript types, precompiled validators, typed emitters, sink stubs and a' +
        ' catalogue under --out. Generated files start with a banner naming their source schema and are deterministic.',
    )
    .option('--check', 'write nothing; exit 1 when the generated folder is stale', false)
    .option(
      '--watch',
      'keep running: on every save regenerate what the saved schema reaches (written to a temporary name, then renamed), print the compatibility verdict, survive a bad schema',
    )
    .option('--against <git-ref>', 'with --watch: the git ref the verdict compares with (default HEAD)')
    .option('--no-verdict', 'with --watch: do not print a compatibility verdict')
    .option('--schemas <dir>', 'the schemas folder', 'schemas')
    .option('--out <dir>', 'the generated folder', 'generated')
    .option(
      '--runtime-import <specifier>',
      "what generated code imports the runtime from (default: 'stageflow-events/runtime' in a consumer project)",
    )
    .addHelpText(
      'after',
      examples([
        ['stageflow-events codegen', 'regenerate generated/ from schemas/'],
        ['stageflow-events codegen --check', 'in CI: fail when generated/ is stale'],
        ['stageflow-events codegen --watch --against main', 'regenerate on save, verdict against main'],
      ]) + exitCodes('0 written or up to date, 1 stale (with --check), 2 usage or schema error'),
    )
    .action(
      (opts: {
        check: boolean;
        schemas: string;
        out: string;
        runtimeImport?: string;
        watch?: boolean;
        against?: string;
        verdict?: boolean;
      }) => run(async (io) => (await import('./commands/codegen.js')).execute(opts, io)),
    );

  program
    .command('demo')
    .summary('run the demo pipeline on embedded defaults, record and replay its events')
    .description(
      'Runs a demo support-chat pipeline on embedded defaults (parallel stages, a guard that fails once and is retried,' +
        ' a tool call with approval, a streaming stage, a subpipeline, wide events on, emit-time validation throw),' +
        ' records every event to <dir>/events.ndjson, replays the snapshot through validation and prints a summary.',
    )
    .option('--out <dir>', 'where to write events.ndjson (default: a temporary folder, removed unless kept)')
    .option('--store <target>', 'also deliver every event to a store: sqlite:<path>, postgres://..., redis://...')
    .option(
      '--metrics-port <port>',
      'after the run, serve the Prometheus metrics (stage counters and durations, sink drop counters) at http://127.0.0.1:<port>/metrics until interrupted (0 picks a free port)',
      tcpPort,
    )
    .option(
      '--otlp-endpoint <url>',
      "export the run's spans, with its events as span events, to an OTLP/HTTP traces endpoint (protobuf), e.g. http://localhost:4318/v1/traces",
    )
    .addHelpText(
      'after',
      examples([
        ['stageflow-events demo', 'run it and print the summary'],
        ['stageflow-events demo --out demo-run --store sqlite:demo-run/events.db', 'keep the snapshot, fill SQLite'],
        ['stageflow-events demo --otlp-endpoint http://localhost:4318/v1/traces', 'send the spans to a collector'],
      ]) + exitCodes('0 the run and its snapshot are clean, 1 not clean, 2 usage error'),
    )
    .action((opts: { out?: string; store?: string; metricsPort?: number; otlpEndpoint?: string }) =>
      run(async (io) => (await import('./commands/demo.js')).execute(opts, io)),
    );

  program
    .command('completion')
    .summary('print a shell completion script')
    .argument('[shell]', 'bash or zsh', 'bash')
    .addHelpText(
      'after',
      examples([
        ['source <(stageflow-events completion bash)', 'in ~/.bashrc'],
        ['source <(stageflow-events completion zsh)', 'in ~/.zshrc'],
      ]),
    )
    .action((shell: string) =>
      run(async (io) => (await import('./commands/completion.js')).execute(shell, program, io)),
    );

  return program;
}

/** Turns commander's error text ("error: unknown option '--x'\n(Did you mean --y?)") into the product's one style. */
export function usageMessage(e: CommanderError): string {
  return e.message
    .replace(/^error: /, '')
    .replace(/\n\(Did you mean (.*)\?\)$/, '; did you mean $1?')
    .trim();
}

/** Which command an argv names (for error prefixes), or undefined. */
export function commandOf(program: Command, argv: readonly string[]): Command | undefined {
  const name = argv.find((a) => !a.startsWith('-'));
  return program.commands.find((c) => c.name() === name);
}
