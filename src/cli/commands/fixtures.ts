import type { CommandIo } from '../io.js';

/** `stageflow-events fixtures`: placeholder until its issue lands (another engineer is writing it now). */
export async function run(_argv: readonly string[], io: CommandIo): Promise<number> {
  io.err('stageflow-events fixtures: not available yet');
  return 2;
}
