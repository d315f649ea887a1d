import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkEnvelope, generateFixtures, resolveEventType, type Fixture } from '../../conformance/index.js';
import { SchemaError } from '../../errors.js';
import type { CommandIo } from '../io.js';
import { main } from '../cli.js';
import { loadFixtureSchemas, packageSchemasDir } from '../package-schemas.js';
import { FIXTURES_MANIFEST_KEY } from '../payload-files.js';

function isValid(type: string, data: unknown): boolean {
  const d = resolveEventType(type);
  return d?.validate(data) === true;
}

function ndjson(fixtures: readonly Fixture[]): string {
  return fixtures.map((f) => JSON.stringify(f.event)).join('\n') + (fixtures.length > 0 ? '\n' : '');
}

/** `stageflow-events fixtures <dir>`: writes valid and near-invalid payloads with a labelled manifest; exit 0, or 2 on a usage or schema error. */
export async function execute(
  outArg: string,
  opts: { readonly schemas?: string | undefined },
  io: CommandIo,
): Promise<number> {
  const schemasDir = opts.schemas === undefined ? undefined : resolve(io.cwd, opts.schemas);
  const out = resolve(io.cwd, outArg);
  if (existsSync(out) && !statSync(out).isDirectory()) {
    io.err(
      `stageflow-events fixtures: '${outArg}' exists and is not a folder (expected a folder to write the corpus into)`,
    );
    return 2;
  }
  let schemas: ReturnType<typeof loadFixtureSchemas>;
  try {
    schemas = loadFixtureSchemas(schemasDir ?? packageSchemasDir());
  } catch (e) {
    if (e instanceof SchemaError) {
      io.err(`stageflow-events fixtures: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const corpus = generateFixtures(schemas, isValid);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'valid.ndjson'), ndjson(corpus.valid));
  writeFileSync(join(out, 'near-invalid.ndjson'), ndjson(corpus.nearInvalid));
  const manifest = {
    // marks this document so `validate <folder>` skips it instead of reading it as events
    [FIXTURES_MANIFEST_KEY]: 1,
    valid: corpus.valid.map((f, i) => ({ line: i + 1, label: f.label, type: f.event.type })),
    nearInvalid: corpus.nearInvalid.map((f, i) => ({
      line: i + 1,
      label: f.label,
      type: f.event.type,
      findings: checkEnvelope(f.event).map((x) => ({
        instancePath: x.instancePath,
        keyword: x.keyword,
        message: x.message,
      })),
    })),
  };
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const types = new Set(corpus.valid.map((f) => f.label.split('/')[0])).size;
  io.out(
    `wrote ${corpus.valid.length} valid and ${corpus.nearInvalid.length} near-invalid payloads for ${types} event types to ${outArg}`,
  );
  return 0;
}

/** Parses `argv` as `stageflow-events fixtures` would and runs it. */
export function run(argv: readonly string[], io: CommandIo): Promise<number> {
  return main(['fixtures', ...argv], io);
}
