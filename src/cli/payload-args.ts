import { REPORT_FORMATS, type ReportFormat } from './findings.js';

/** What `validate` and `check` read from their arguments. */
export interface PayloadArgs {
  readonly inputs: string[];
  format: ReportFormat;
  schema: string | undefined;
  allowUnknown: boolean;
  maxLineBytes: number;
  maxFindings: number;
  /** `--jobs <n>`: worker threads that check lines; undefined = as many as there are free cores, for large inputs. */
  jobs: number | undefined;
  help: boolean;
  /** Options only `check` understands, keyed by name without dashes. */
  readonly extra: Map<string, string>;
}

/** A bad command line: the message says which argument and what was expected. */
export class UsageError extends Error {}

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} expects a positive integer, got '${value}'`);
  return n;
}

/** Parses `[--format F] [--schema TYPE] [--allow-unknown] [--max-line-bytes N] [--max-findings N] [--] inputs...`; `valued` names extra options that take a value. */
export function parsePayloadArgs(argv: readonly string[], valued: readonly string[] = []): PayloadArgs {
  const args: PayloadArgs = {
    inputs: [],
    format: 'text',
    schema: undefined,
    allowUnknown: false,
    maxLineBytes: 8 << 20,
    maxFindings: 10_000,
    jobs: undefined,
    help: false,
    extra: new Map(),
  };
  let onlyInputs = false;
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] as string;
    if (onlyInputs || raw === '-' || !raw.startsWith('-')) {
      args.inputs.push(raw);
      continue;
    }
    if (raw === '--') {
      onlyInputs = true;
      continue;
    }
    const eq = raw.indexOf('=');
    const flag = eq === -1 ? raw : raw.slice(0, eq);
    const takeValue = (): string => {
      if (eq !== -1) return raw.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} expects a value`);
      return v;
    };
    switch (flag) {
      case '--help':
      case '-h':
        args.help = true;
        break;
      case '--format': {
        const v = takeValue();
        if (!(REPORT_FORMATS as readonly string[]).includes(v))
          throw new UsageError(`--format expects one of ${REPORT_FORMATS.join(', ')}, got '${v}'`);
        args.format = v as ReportFormat;
        break;
      }
      case '--schema':
        args.schema = takeValue();
        break;
      case '--allow-unknown':
        args.allowUnknown = true;
        break;
      case '--max-line-bytes':
        args.maxLineBytes = positiveInt(flag, takeValue());
        break;
      case '--max-findings':
        args.maxFindings = positiveInt(flag, takeValue());
        break;
      case '--jobs':
        args.jobs = positiveInt(flag, takeValue());
        break;
      default: {
        const name = flag.replace(/^--?/, '');
        if (valued.includes(name)) args.extra.set(name, takeValue());
        else throw new UsageError(`unknown option '${flag}'`);
      }
    }
  }
  return args;
}
