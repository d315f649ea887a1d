#!/usr/bin/env node
// the `stageflow-events` binary: runs src/cli/cli.ts's main() on the process's arguments
import { main } from './cli.js';

export { main };

if (
  process.argv[1] !== undefined &&
  import.meta.url === new URL(`file://${(await import('node:fs')).realpathSync(process.argv[1])}`).href
) {
  process.exitCode = await main(process.argv.slice(2));
}
