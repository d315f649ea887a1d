// `npm run codegen [-- --check] [--schemas DIR] [--out DIR] [--runtime-import SPEC]`
import { ContractError } from '../src/errors.js';
import { isClean, runCodegen, type CodegenOptions } from './index.js';

/** Parses codegen's flags and runs it; returns the exit code (0 ok, 1 stale in check mode, 2 error). */
export async function codegenMain(
  argv: readonly string[],
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  const opts: { -readonly [K in keyof CodegenOptions]: CodegenOptions[K] } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new ContractError('usage', `codegen: ${a} needs a value`);
      return v;
    };
    if (a === '--check') opts.check = true;
    else if (a === '--schemas') opts.schemasDir = value();
    else if (a === '--out') opts.outDir = value();
    else if (a === '--runtime-import') opts.runtimeImport = value();
    else {
      err(`codegen: unknown option '${a}' (expected --check, --schemas DIR, --out DIR, --runtime-import SPEC)`);
      return 2;
    }
  }
  try {
    const r = await runCodegen(opts);
    if (opts.check) {
      const missing = r.upcasters.filter((u) => u.state === 'missing');
      for (const u of missing) err(`codegen --check: ${u.file} is missing: run \`npm run codegen\` to write its stub`);
      if (isClean(r.drift) && missing.length === 0) {
        out(`codegen --check: ${r.files.size} files for ${r.events} events are up to date`);
        return 0;
      }
      err('codegen --check: generated/ is stale; run `npm run codegen` and commit the result');
      for (const p of r.drift.changed) err(`  changed: ${p}`);
      for (const p of r.drift.missing) err(`  missing: ${p}`);
      for (const p of r.drift.stale) err(`  stale:   ${p}`);
      return 1;
    }
    for (const f of r.stubsWritten) out(`codegen: wrote the upcaster stub upcasters/${f}; fill in its body`);
    out(
      `codegen: wrote ${r.files.size} files for ${r.events} events (${r.drift.changed.length} changed, ${r.drift.missing.length} new, ${r.drift.stale.length} removed)`,
    );
    return 0;
  } catch (e) {
    err(`codegen: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await codegenMain(process.argv.slice(2));
}
