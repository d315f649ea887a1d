// dev chore: load every schema with ajv at run time, validate its examples and the sample corpus
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { exampleProblems, isEventSchema, VENDOR_KEYWORDS } from '../codegen/schema-rules.js';

const addFormats = addFormatsModule.default;
const root = new URL('..', import.meta.url).pathname;
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
for (const k of VENDOR_KEYWORDS) ajv.addKeyword(k);

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : [],
  );
}
const files = walk(join(root, 'schemas')).sort();
const events: { file: string; schema: any; type?: string | undefined; pattern?: RegExp | undefined }[] = [];
for (const f of files) {
  const schema = JSON.parse(readFileSync(f, 'utf8'));
  ajv.addSchema(schema);
  if (isEventSchema(schema))
    events.push({
      file: relative(root, f),
      schema,
      type: schema['x-event-type'],
      pattern: schema['x-event-type-pattern'] ? new RegExp(schema['x-event-type-pattern']) : undefined,
    });
}
let bad = 0;
for (const e of events) {
  const v = ajv.getSchema(e.schema.$id)!;
  for (const p of exampleProblems(e.schema, v)) {
    bad++;
    console.log(`${e.file} at ${p.pointer}: ${p.message}`);
  }
}
const sample = join(root, 'test', 'fixtures', 'snapshots', 'reference-sample.ndjson');
const counts = new Map<string, number>();
for (const [n, line] of readFileSync(sample, 'utf8').split('\n').entries()) {
  if (!line.trim()) continue;
  const { type, data } = JSON.parse(line);
  const e = events.find((x) => x.type === type) ?? events.find((x) => x.pattern?.test(type));
  if (!e) {
    counts.set(type, (counts.get(type) ?? 0) + 1);
    continue;
  }
  const v = ajv.getSchema(e.schema.$id)!;
  if (!v(data)) {
    bad++;
    console.log(`sample line ${n + 1} ${type}:`, JSON.stringify(v.errors));
  }
}
console.log(
  `${events.length} event schemas; uncovered sample types:`,
  [...counts.keys()].filter((t) => !t.startsWith('x-record.')).join(', ') || 'none',
);
process.exit(bad ? 1 : 0);
