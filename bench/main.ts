// `npm run bench [-- --only NAME]`: runs each bench/*.bench.ts in its own process (AsyncLocalStorage and JIT state
// leak between cases otherwise) and prints their tables one after another
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt === -1 ? undefined : process.argv[onlyAt + 1];
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort()
  .filter((f) => only === undefined || f.startsWith(only));
let failed = 0;
for (const f of benches) {
  console.log(`\n=== ${f} ===`);
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--expose-gc',
      `${dir}${f}`,
      ...process.argv.slice(2).filter((a, i, all) => a !== '--only' && all[i - 1] !== '--only'),
    ],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) failed++;
}
console.log(`\n${benches.length - failed} benches ran, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
