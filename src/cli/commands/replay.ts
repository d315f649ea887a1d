import type { CommandIo } from '../io.js';

/** `stageflow-events replay`: placeholder until its issue lands (another engineer is writing it now). */
export async function run(_argv: readonly string[], io: CommandIo): Promise<number> {
  io.err('stageflow-events replay: not available yet');
  return 2;
}
