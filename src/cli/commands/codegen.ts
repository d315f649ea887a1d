import { resolve } from 'node:path';
import { isClean, runCodegen, type CodegenOptions } from '../../../codegen/index.js';
import type { CommandIo } from '../io.js';

/** Parsed `codegen` options (see src/cli/program.ts). */
export interface CodegenCommandOptions {
  readonly check: boolean;
  readonly schemas: string;
  readonly out: string;
  readonly runtimeImport?: string | undefined;
  /** Keep running and regenerate on every save (`--watch`). */
  readonly watch?: boolean | undefined;
  /** With --watch: the git ref to print the compatibility verdict against, or false (`--no-verdict`). */
  readonly against?: string | undefined;
  readonly verdict?: boolean | undefined;
}

/** `stageflow-events codegen`: writes (or with --check compares) generated/; exit 0 ok, 1 stale with --check, 2 schema error. */
export async function execute(opts: CodegenCommandOptions, io: CommandIo): Promise<number> {
  if (opts.watch === true) return watch(opts, io);
  const options: CodegenOptions = {
    check: opts.check,
    schemasDir: resolve(io.cwd, opts.schemas),
    outDir: resolve(io.cwd, opts.out),
    ...(opts.runtimeImport === undefined ? {} : { runtimeImport: opts.runtimeImport }),
  };
  try {
    const r = await runCodegen(options);
    if (opts.check) {
      const missing = r.upcasters.filter((u) => u.state === 'missing');
      for (const u of missing)
        io.err(`codegen --check: ${u.file} is missing: run \`npm run codegen\` to write its stub`);
      if (isClean(r.drift) && missing.length === 0) {
        io.out(`codegen --check: ${r.files.size} files for ${r.events} events are up to date`);
        return 0;
      }
      io.err('codegen --check: generated/ is stale; run `npm run codegen` and commit the result');
      for (const p of r.drift.changed) io.err(`  changed: ${p}`);
      for (const p of r.drift.missing) io.err(`  missing: ${p}`);
      for (const p of r.drift.stale) io.err(`  stale:   ${p}`);
      return 1;
    }
    for (const f of r.stubsWritten) io.out(`codegen: wrote the upcaster stub upcasters/${f}; fill in its body`);
    io.out(
      `codegen: wrote ${r.files.size} files for ${r.events} events (${r.drift.changed.length} changed, ${r.drift.missing.length} new, ${r.drift.stale.length} removed)`,
    );
    return 0;
  } catch (e) {
    io.err(`codegen: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
}

// --watch regenerates on every save what the saved schema reaches (files written to a temporary name, then renamed),
// prints the compatibility verdict against a git ref (default HEAD), and keeps running when a schema is bad
async function watch(opts: CodegenCommandOptions, io: CommandIo): Promise<number> {
  const { watchCodegen } = await import('../codegen-watch.js');
  const w = watchCodegen({
    cwd: io.cwd,
    out: io.out,
    err: io.err,
    against: opts.verdict === false ? false : (opts.against ?? 'HEAD'),
    schemasDir: opts.schemas,
    outDir: opts.out,
    ...(opts.runtimeImport === undefined ? {} : { runtimeImport: opts.runtimeImport }),
  });
  await new Promise<void>((resolveStop) => {
    const stop = (): void => {
      void w.close().then(resolveStop);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
