// watch-mode latency for bench/codegen.bench.ts: in one process, an incremental codegen on a scratch copy of the
// schemas; each round edits one schema's description and times the regeneration it triggers (what `codegen --watch`
// runs on a save); prints one JSON line with the latencies in ms
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { incrementalCodegen } from '../codegen/index.js';

const rounds = Number(process.argv[2] ?? 7);
const dir = mkdtempSync(join(tmpdir(), 'sfe-bench-watch-'));
try {
  cpSync('schemas', join(dir, 'schemas'), { recursive: true });
  cpSync('generated', join(dir, 'generated'), { recursive: true });
  const codegen = incrementalCodegen({
    schemasDir: join(dir, 'schemas'),
    outDir: join(dir, 'generated'),
    runtimeImport: 'stageflow-events/runtime',
  });
  await codegen.run();
  const file = join(dir, 'schemas/tool/tool.invoked.v1.json');
  const text = readFileSync(file, 'utf8');
  const ms: number[] = [];
  for (let r = 0; r < rounds; r++) {
    writeFileSync(file, text.replace('The registered name of the tool.', `The registered name of the tool (${r}).`));
    const t0 = performance.now();
    const res = await codegen.run();
    ms.push(performance.now() - t0);
    if (res.reached?.length !== 1) throw new Error(`expected one schema reached, got ${String(res.reached?.length)}`);
  }
  console.log(JSON.stringify({ ms }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
