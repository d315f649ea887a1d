import { codegenMain } from '../../../codegen/main.js';
import type { CommandIo } from '../io.js';

/** `stageflow-events codegen [--check] [--schemas DIR] [--out DIR] [--runtime-import SPEC]`. */
export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  if (argv.includes('--help')) {
    io.out('usage: stageflow-events codegen [--check] [--schemas DIR] [--out DIR] [--runtime-import SPEC]');
    return 0;
  }
  return codegenMain(argv, io.out, io.err);
}
