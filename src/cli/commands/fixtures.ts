import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkEnvelope, generateFixtures, resolveEventType, type Fixture } from '../../conformance/index.js';
import { SchemaError } from '../../errors.js';
import type { CommandIo } from '../io.js';
import { loadFixtureSchemas, packageSchemasDir } from '../package-schemas.js';
import { FIXTURES_MANIFEST_KEY } from '../payload-files.js';

const USAGE = `usage: stageflow-events fixtures [--schemas DIR] <out-dir>

Writes a golden corpus for sink authors into <out-dir>:
  valid.ndjson         every schema example plus edge cases a conforming sink must accept
                       (optional fields absent, nullable fields null, boundary numbers, long and unicode strings)
  near-invalid.ndjson  payloads one step away from valid, which a strict sink should refuse
  manifest.json        the label of every line, and for near-invalid lines the findings that make them invalid

options:
  --schemas DIR  the schemas folder (default: the one shipped with stageflow-events)`;

function isValid(type: string, data: unknown): boolean {
  const d = resolveEventType(type);
  return d?.validate(data) === true;
}

function ndjson(fixtures: readonly Fixture[]): string {
  return fixtures.map((f) => JSON.stringify(f.event)).join('\n') + (fixtures.length > 0 ? '\n' : '');
}

/** `stageflow-events fixtures <dir>`: writes valid and near-invalid payloads with a labelled manifest; exit 0, or 2 on a usage or schema error. */
export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  let schemasDir: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--help' || a === '-h') {
      io.out(USAGE);
      return 0;
    }
    if (a === '--schemas' || a.startsWith('--schemas=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined || v === '') {
        io.err('stageflow-events fixtures: --schemas expects a folder');
        return 2;
      }
      schemasDir = resolve(io.cwd, v);
    } else if (a.startsWith('-')) {
      io.err(`stageflow-events fixtures: unknown option '${a}'`);
      return 2;
    } else positional.push(a);
  }
  if (positional.length !== 1) {
    io.err(`stageflow-events fixtures: expected exactly one output folder, got ${positional.length}`);
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
  const out = resolve(io.cwd, positional[0] as string);
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
    `wrote ${corpus.valid.length} valid and ${corpus.nearInvalid.length} near-invalid payloads for ${types} event types to ${positional[0] as string}`,
  );
  return 0;
}
