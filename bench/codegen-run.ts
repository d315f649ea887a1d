// one codegen run for bench/codegen.bench.ts, in its own process: `node --import tsx bench/codegen-run.ts <case>`;
// prints one JSON line with the in-process time and the peak RSS of this process
import { basename, resolve } from 'node:path';

const started = performance.now();
const which = process.argv[2];
const schemasDir = resolve(process.argv[3] ?? 'schemas');
const outDir = resolve(process.argv[4] ?? 'generated');

if (which === 'after-check' || which === 'after-write') {
  const { runCodegen, isClean } = await import('../codegen/index.js');
  const r = await runCodegen({ schemasDir, outDir, check: which === 'after-check' });
  if (which === 'after-check' && !isClean(r.drift)) throw new Error('codegen --check found drift');
} else if (which === 'before-check') {
  const { loadSchemas } = await import('../codegen/load.js');
  const { resolveSchemas } = await import('../codegen/resolve.js');
  const { buildModel } = await import('../codegen/model.js');
  const { diffGenerated } = await import('../codegen/write.js');
  const { render } = await import('./peers/codegen-before-render.js');
  const set = resolveSchemas(loadSchemas(schemasDir, basename(schemasDir)));
  const model = buildModel(set, (depth) => (depth === 0 ? '../src/runtime/index.js' : '../../../src/runtime/index.js'));
  diffGenerated(outDir, await render(set, model));
} else if (which === 'json-schema-to-typescript') {
  // json-schema-to-typescript alone (with its prettier formatting) on the same dereferenced schemas
  const { loadSchemas } = await import('../codegen/load.js');
  const { resolveSchemas } = await import('../codegen/resolve.js');
  const { compile } = await import('json-schema-to-typescript');
  const set = resolveSchemas(loadSchemas(schemasDir, basename(schemasDir)));
  for (const e of set.events) {
    const title = String(e.source.json.title);
    await compile({ ...e.dereferenced, title } as never, title, {
      additionalProperties: false,
      strictIndexSignatures: true,
      unknownAny: true,
      format: true,
      style: { singleQuote: true, printWidth: 120, trailingComma: 'all' },
      $refOptions: { resolve: { http: false, file: false } } as never,
    });
  }
} else {
  throw new Error(`unknown case '${String(which)}'`);
}
const cpu = process.cpuUsage();
// cpuMs: the whole process's CPU (startup and module loading included); on a loaded machine wall time is mostly waiting
console.log(
  JSON.stringify({
    ms: performance.now() - started,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    cpuMs: (cpu.user + cpu.system) / 1000,
  }),
);
