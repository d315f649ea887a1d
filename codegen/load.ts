// phase 1: read every schema file below the schemas folder, in a stable order, and parse it
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { SchemaError } from '../src/errors.js';

/** One schema file as read from disk. */
export interface LoadedSchema {
  /** The path below the schemas folder, with forward slashes (`tool/tool.invoked.v1.json`). */
  readonly file: string;
  /** The same path as users see it (`schemas/tool/tool.invoked.v1.json`). */
  readonly displayPath: string;
  readonly json: Record<string, unknown>;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : []))
    .sort();
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return `line ${line}, column ${position - before.lastIndexOf('\n')}`;
}

/** Reads and parses every `*.json` below `schemasDir`, sorted by path so output never depends on directory order. */
export function loadSchemas(schemasDir: string, displayRoot = 'schemas'): LoadedSchema[] {
  let files: string[];
  try {
    files = walk(schemasDir);
  } catch (cause) {
    throw new SchemaError(schemasDir, '', 'cannot read the schemas folder', { cause });
  }
  const out = files
    .map((abs) => relative(schemasDir, abs).split(sep).join('/'))
    .sort()
    .map((file) => {
      const displayPath = `${displayRoot}/${file}`;
      const text = readFileSync(join(schemasDir, file), 'utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (cause) {
        const m = /position (\d+)/.exec(String((cause as Error).message));
        const where = m ? ` (${lineAndColumn(text, Number(m[1]))})` : '';
        throw new SchemaError(displayPath, '', `invalid JSON: ${(cause as Error).message}${where}`, { cause });
      }
      if (json === null || typeof json !== 'object' || Array.isArray(json)) {
        throw new SchemaError(displayPath, '', 'expected a JSON object at the top level');
      }
      return { file, displayPath, json: json as Record<string, unknown> };
    });
  if (out.length === 0) throw new SchemaError(schemasDir, '', 'no *.json schema found');
  return out;
}
