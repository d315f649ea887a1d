import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/schemas.js';

// the dependency arrows of ARCHITECTURE.md, enforced on every relative import in the tree
const CORE = ['src/runtime', 'src/sinks', 'src/context', 'src/validation', 'src/io', 'src/errors.ts'];

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|js|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
    }
  };
  walk(join(repoRoot, dir));
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g)]
    .map((m) => m[1] ?? m[2] ?? '')
    .map((spec) => relative(repoRoot, resolve(dirname(file), spec)));
}

const inCore = (p: string): boolean => CORE.some((c) => p.replace(/\.js$/, '.ts') === c || p.startsWith(`${c}/`));

describe('dependency arrows', () => {
  it('the core never imports generated/ or codegen/ or a feature folder', () => {
    const offending = files('src')
      .filter((f) => inCore(relative(repoRoot, f)))
      .flatMap((f) =>
        importsOf(f)
          .filter((i) => !inCore(i))
          .map((i) => `${relative(repoRoot, f)} -> ${i}`),
      );
    expect(offending).toEqual([]);
  });

  it('generated code imports only src/runtime and other generated files', () => {
    const offending = files('generated').flatMap((f) =>
      importsOf(f)
        .filter((i) => !i.startsWith('generated/') && !i.startsWith('src/runtime/'))
        .map((i) => `${relative(repoRoot, f)} -> ${i}`),
    );
    expect(offending).toEqual([]);
  });

  it('codegen imports nothing from src but errors and the format functions', () => {
    const offending = files('codegen').flatMap((f) =>
      importsOf(f)
        .filter((i) => i.startsWith('src/') && i !== 'src/errors.js' && i !== 'src/runtime/formats.js')
        .map((i) => `${relative(repoRoot, f)} -> ${i}`),
    );
    expect(offending).toEqual([]);
  });

  it('no shipped code imports scripts/, test/ or bench/', () => {
    const offending = [...files('src'), ...files('codegen'), ...files('generated')].flatMap((f) =>
      importsOf(f)
        .filter((i) => /^(scripts|test|bench)\//.test(i))
        .map((i) => `${relative(repoRoot, f)} -> ${i}`),
    );
    expect(offending).toEqual([]);
  });
});
