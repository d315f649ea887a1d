import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSchemas } from '../../codegen/load.js';
import { resolveSchemas, type ResolvedEvent } from '../../codegen/resolve.js';
import type { FixtureSchema } from '../conformance/index.js';

/** The `schemas/` folder shipped with this package (found by walking up to our package.json), the default for `fixtures`. */
export function packageSchemasDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'stageflow-events')
      return join(dir, 'schemas');
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the stageflow-events package root');
    dir = up;
  }
}

/** Loads and resolves every event schema of `schemasDir` (codegen's load and resolve phases) into generator input. */
export function loadFixtureSchemas(schemasDir: string): FixtureSchema[] {
  return resolveSchemas(loadSchemas(schemasDir)).events.map((e: ResolvedEvent) => ({
    type: e.type,
    template: e.pattern !== undefined,
    schema: e.dereferenced,
  }));
}
