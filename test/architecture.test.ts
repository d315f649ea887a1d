import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/schemas.js';

// the dependency arrows of ARCHITECTURE.md, enforced on every relative import in the tree (biome.json repeats the
// arrows it can express as noRestrictedImports rules, for early feedback in editors; this test is the authority)

// the ground floor: what generated code imports; src/errors.ts lives with it (ValidationError carries ValidationIssue)
const GROUND = ['src/runtime', 'src/errors.ts'];
const CORE = [...GROUND, 'src/sinks', 'src/validation', 'src/io'];

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

const within = (p: string, roots: readonly string[]): boolean =>
  roots.some((c) => p.replace(/\.js$/, '.ts') === c || p.startsWith(`${c}/`));
const inCore = (p: string): boolean => within(p, CORE);

/** `from -> to` for every relative import of the files under `dirs` whose target `offends`. */
function offending(dirs: readonly string[], from: (f: string) => boolean, offends: (i: string) => boolean): string[] {
  return dirs
    .flatMap((d) => files(d))
    .map((f) => relative(repoRoot, f))
    .filter(from)
    .flatMap((f) =>
      importsOf(join(repoRoot, f))
        .filter(offends)
        .map((i) => `${f} -> ${i}`),
    );
}

/**
 * The node a file belongs to in the folder graph: `src/<folder>` (src/errors.ts counts as the ground floor,
 * `src/runtime`), `src/index.ts` (the package entry), `examples/<example>`, or the top folder (`generated`, `codegen`).
 */
function folderOf(path: string): string {
  const p = path.replace(/\.js$/, '.ts');
  if (p === 'src/errors.ts') return 'src/runtime';
  const parts = p.split('/');
  if ((parts[0] === 'src' || parts[0] === 'examples') && parts.length > 2) return `${parts[0]}/${parts[1]}`;
  return parts[0] === 'src' ? p : (parts[0] ?? p);
}

/** Every import circle between folders, one per strongly connected group, each with the file imports that close it. */
function folderCycles(imports: ReadonlyMap<string, readonly string[]>): string[] {
  const edges = new Map<string, Map<string, string>>();
  for (const [file, targets] of imports) {
    const a = folderOf(file);
    for (const t of targets) {
      const b = folderOf(t);
      if (a === b) continue;
      const out = edges.get(a) ?? new Map<string, string>();
      if (!out.has(b)) out.set(b, `${file} -> ${t}`);
      edges.set(a, out);
    }
  }
  // Tarjan's strongly connected components; a component of more than one folder holds a circle
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) as number);
    stack.push(v);
    onStack.add(v);
    for (const w of [...(edges.get(v)?.keys() ?? [])].sort()) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) connect(v);
  return groups.map((group) => {
    // walk inside the group from its first folder back to itself: the shortest circle through it
    const members = new Set(group);
    const start = group[0] as string;
    const previous = new Map<string, string>();
    const queue = [start];
    let closing: string | undefined;
    while (queue.length > 0 && closing === undefined) {
      const v = queue.shift() as string;
      for (const w of [...(edges.get(v)?.keys() ?? [])].sort()) {
        if (!members.has(w)) continue;
        if (w === start) {
          closing = v;
          break;
        }
        if (!previous.has(w)) {
          previous.set(w, v);
          queue.push(w);
        }
      }
    }
    const path = [start];
    for (let v = closing as string; v !== start; v = previous.get(v) as string) path.splice(1, 0, v);
    path.push(start);
    const evidence = path.slice(1).map((to, i) => `    ${edges.get(path[i] as string)?.get(to)}`);
    return [`import circle: ${path.join(' -> ')}`, ...evidence].join('\n');
  });
}

function shippedImports(): Map<string, string[]> {
  const all = new Map<string, string[]>();
  for (const d of ['src', 'generated', 'codegen', 'examples'])
    for (const f of files(d)) all.set(relative(repoRoot, f), importsOf(f));
  return all;
}

describe('dependency arrows', () => {
  it('src/runtime, the ground floor, imports nothing outside itself but src/errors.ts', () => {
    expect(
      offending(
        ['src'],
        (f) => within(f, GROUND),
        (i) => !within(i, GROUND),
      ),
    ).toEqual([]);
  });

  it('the core never imports generated/ or codegen/ or a feature folder', () => {
    expect(offending(['src'], inCore, (i) => !inCore(i))).toEqual([]);
  });

  it('the pipeline never imports src/interceptors (the Interceptor protocol lives in src/pipeline)', () => {
    expect(
      offending(
        ['src'],
        (f) => f.startsWith('src/pipeline/'),
        (i) => i.startsWith('src/interceptors/'),
      ),
    ).toEqual([]);
  });

  it('no import circles between folders of src/, generated/, codegen/ and examples/', () => {
    expect(folderCycles(shippedImports())).toEqual([]);
  });

  it('the circle finder names the folders and the imports of a circle', () => {
    const graph = new Map([
      ['src/pipeline/stage-graph.ts', ['src/interceptors/interceptor.js', 'src/runtime/emit.js']],
      ['src/interceptors/metrics-interceptor.ts', ['src/pipeline/types.js']],
      ['src/runtime/emit.ts', ['src/errors.js']],
      ['src/errors.ts', ['src/runtime/types.js']],
    ]);
    expect(folderCycles(graph)).toEqual([
      [
        'import circle: src/interceptors -> src/pipeline -> src/interceptors',
        '    src/interceptors/metrics-interceptor.ts -> src/pipeline/types.js',
        '    src/pipeline/stage-graph.ts -> src/interceptors/interceptor.js',
      ].join('\n'),
    ]);
  });

  it('generated code imports only src/runtime and other generated files', () => {
    expect(
      offending(
        ['generated'],
        () => true,
        (i) => !i.startsWith('generated/') && !i.startsWith('src/runtime/'),
      ),
    ).toEqual([]);
  });

  it('codegen imports nothing from src but errors and the format functions', () => {
    expect(
      offending(
        ['codegen'],
        () => true,
        (i) => i.startsWith('src/') && i !== 'src/errors.js' && i !== 'src/runtime/formats.js',
      ),
    ).toEqual([]);
  });

  it('codegen/schema-rules.ts, the rules codegen, check, the sanity script and the schema diff share, imports nothing relative', () => {
    expect(
      offending(
        ['codegen'],
        (f) => f === 'codegen/schema-rules.ts',
        () => true,
      ),
    ).toEqual([]);
  });

  it('only the CLI imports examples/ (the demo command runs the demo pipeline)', () => {
    expect(
      offending(
        ['src', 'generated', 'codegen'],
        (f) => !f.startsWith('src/cli/'),
        (i) => i.startsWith('examples/'),
      ),
    ).toEqual([]);
  });

  it('no shipped code imports scripts/, test/ or bench/', () => {
    expect(
      offending(
        ['src', 'codegen', 'generated', 'examples'],
        () => true,
        (i) => /^(scripts|test|bench)\//.test(i),
      ),
    ).toEqual([]);
  });
});
