// loads the repository's schemas through codegen's own load and resolve phases (dereferenced, checked)
import { readFileSync } from 'node:fs';
import { loadSchemas } from '../../codegen/load.js';
import { resolveSchemas, type ResolvedEvent } from '../../codegen/resolve.js';

export const repoRoot = new URL('../../', import.meta.url).pathname;

let cache: readonly ResolvedEvent[] | undefined;

/** Every event schema of the repository, dereferenced. */
export function repoEvents(): readonly ResolvedEvent[] {
  cache ??= resolveSchemas(loadSchemas(`${repoRoot}schemas`)).events;
  return cache;
}

/** The reference sample corpus, one `{type, data}` per line, with 1-based line numbers. */
export function sampleLines(): { line: number; type: string; data: unknown }[] {
  return readFileSync(`${repoRoot}test/fixtures/snapshots/reference-sample.ndjson`, 'utf8')
    .split('\n')
    .map((text, i) => ({ text, line: i + 1 }))
    .filter((l) => l.text.trim() !== '')
    .map((l) => ({ line: l.line, ...(JSON.parse(l.text) as { type: string; data: unknown }) }));
}
