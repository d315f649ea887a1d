// issue 2: the generated (precompiled, char-code formats) validator against ajv compiled at run time with
// ajv-formats "full" and against @exodus/schemasafe, on one pool of stage.<name>.completed payloads
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { validator as schemasafe } from '@exodus/schemasafe';
import { validateStageNameCompleted } from '../generated/index.js';
import { compare, machine, printComparison, verdict, type CompareResult } from './harness.js';

const addFormats = addFormatsModule.default;
const root = new URL('..', import.meta.url).pathname;
const defs = JSON.parse(readFileSync(`${root}schemas/common/defs.v1.json`, 'utf8'));
const schema = JSON.parse(readFileSync(`${root}schemas/stage/stage.{name}.completed.v1.json`, 'utf8'));

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv, { mode: 'full' });
ajv.addSchema(defs);
const ajvFull = ajv.compile(schema);

// schemasafe has no $ref loader by URL; give it the referenced schema through `schemas`
const safe = schemasafe(schema, {
  schemas: { [defs.$id]: defs },
  formats: {},
  includeErrors: true,
  allErrors: true,
  mode: 'default',
  requireSchema: false,
  extraFormats: false,
  allowUnusedKeywords: true,
  isJSON: true,
});

const names = ['llm', 'stt', 'tts', 'router', 'summarize', 'enrich_memory', 'rerank', 'persist'];
function uuid(i: number): string {
  const h = ((i * 2654435761) >>> 0).toString(16).padStart(8, '0');
  return `${h}-1c2d-4e5f-8a9b-${h}${h.slice(0, 4)}`;
}
// payloads as a sink, the CLI or replay sees them: parsed from JSON (flat strings, not the ropes template literals make)
const pool: Record<string, unknown>[] = JSON.parse(
  JSON.stringify(
    Array.from({ length: 256 }, (_, i) => ({
      request_id: uuid(i),
      session_id: uuid(i + 1),
      user_id: uuid(i + 2),
      org_id: uuid(i + 3),
      service: 'chat',
      stage: names[i % names.length],
      status: 'completed',
      timestamp: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T17:49:${String(i % 60).padStart(2, '0')}.${String(100000 + i).slice(1)}+00:00`,
      topology: 'chat_fast',
      execution_mode: 'practice',
      duration_ms: i % 97,
      data_keys: ['reply', 'tokens'],
      pipeline_run_id: uuid(i + 4),
    })),
  ),
);

const base = pool[0] as Record<string, unknown>;
const invalid: [string, unknown][] = [
  ['request_id not a uuid', { ...base, request_id: 'not-a-uuid' }],
  ['uuid too short', { ...base, user_id: '6e98dfc3-05a5-4632-81dc-acc81356a31' }],
  ['uuid with a non-hex char', { ...base, org_id: 'g947d928-5107-4bb8-8b2a-082696089871' }],
  ['month 13', { ...base, timestamp: '2026-13-25T17:49:11.428199+00:00' }],
  ['Feb 30', { ...base, timestamp: '2026-02-30T17:49:11+00:00' }],
  ['Feb 29 on a non-leap year', { ...base, timestamp: '2025-02-29T00:00:00Z' }],
  ['no offset', { ...base, timestamp: '2026-11-25T17:49:11.428199' }],
  ['hour 24', { ...base, timestamp: '2026-11-25T24:00:00+00:00' }],
  ['timestamp not a string', { ...base, timestamp: 1732556951 }],
  // service is optional (the Python framework's guide omits it in its example); stage is required
  ['missing stage', (({ stage: _s, ...rest }) => rest)(base)],
  ['duration_ms a float', { ...base, duration_ms: 1.5 }],
  ['status out of enum', { ...base, status: 'done' }],
  ['stage with a dot', { ...base, stage: 'a.b' }],
];

console.log(`machine: ${machine()}`);
let bad = 0;
for (const [name, v] of [
  ['generated', validateStageNameCompleted],
  ['ajv+ajv-formats full', ajvFull],
  ['@exodus/schemasafe', safe],
] as const) {
  const fn = v as (d: unknown) => boolean;
  const acceptedValid = pool.every((p) => fn(p));
  const rejected = invalid.filter(([, p]) => !fn(p)).length;
  const missed = invalid.filter(([, p]) => fn(p)).map(([n]) => n);
  console.log(
    `${name}: accepts the ${pool.length} valid payloads: ${acceptedValid}; rejects ${rejected}/${invalid.length} invalid${missed.length ? ` (accepts: ${missed.join(', ')})` : ''}`,
  );
  if (name === 'generated' && (!acceptedValid || rejected !== invalid.length)) bad++;
}

const run =
  (fn: (d: unknown) => boolean) =>
  (n: number): void => {
    let ok = 0;
    for (let i = 0; i < n; i++) if (fn(pool[i & 255])) ok++;
    if (ok !== n) throw new Error('a valid payload was rejected');
  };
const PEER = 'ajv+ajv-formats full (run-time compiled)';
const results = compare(
  [
    { name: PEER, fn: run(ajvFull) },
    { name: '@exodus/schemasafe', fn: run(safe as (d: unknown) => boolean) },
    { name: 'generated (stageflow-events)', fn: run(validateStageNameCompleted) },
  ],
  PEER,
  // many short interleaved rounds: a neighbour's burst then hits both sides of a per-round ratio alike
  41,
  60,
);
printComparison(
  'validating stage.<name>.completed payloads parsed from JSON (validations per second, 41 interleaved rounds of about 60 ms)',
  results,
  PEER,
);
const ours = results[2] as CompareResult;
console.log('');
verdict(
  'generated / ajv+ajv-formats full',
  ours.ratio,
  `per-round range ${ours.ratioMin.toFixed(2)}–${ours.ratioMax.toFixed(2)}`,
  3,
);
process.exitCode = bad ? 1 : 0;
