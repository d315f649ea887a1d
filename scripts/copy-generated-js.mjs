// build chore: tsc does not emit the generated .js validators (nor codegen templates); copy them beside the compiled code
import { cpSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function walk(dir, fn) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, fn);
    else fn(p);
  }
}
walk('generated', (p) => {
  if (p.endsWith('.js') || p.endsWith('.d.ts') || p.endsWith('.md')) cpSync(p, join('dist', p));
});
cpSync('codegen/templates', 'dist/codegen/templates', { recursive: true });
