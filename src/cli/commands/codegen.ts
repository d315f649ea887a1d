import { codegenMain } from '../../../codegen/main.js';
import type { CommandIo } from '../io.js';

const USAGE = `usage: stageflow-events codegen [--check] [--schemas DIR] [--out DIR] [--runtime-import SPEC]
       stageflow-events codegen --watch [--against GIT-REF|--no-verdict] [--schemas DIR] [--out DIR]

--watch regenerates on every save what the saved schema reaches (files written to a temporary name, then renamed),
prints the compatibility verdict against GIT-REF (default HEAD), and keeps running when a schema is bad.`;

/** `stageflow-events codegen [--check|--watch] ...`. */
export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  if (argv.includes('--help')) {
    io.out(USAGE);
    return 0;
  }
  if (!argv.includes('--watch')) return codegenMain(argv, io.out, io.err);
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i === -1 ? undefined : argv[i + 1];
  };
  const { watchCodegen } = await import('../codegen-watch.js');
  const schemasDir = value('--schemas');
  const outDir = value('--out');
  const runtimeImport = value('--runtime-import');
  const w = watchCodegen({
    cwd: io.cwd,
    out: io.out,
    err: io.err,
    against: argv.includes('--no-verdict') ? false : (value('--against') ?? 'HEAD'),
    ...(schemasDir === undefined ? {} : { schemasDir }),
    ...(outDir === undefined ? {} : { outDir }),
    ...(runtimeImport === undefined ? {} : { runtimeImport }),
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
