// A new user's project, as the README's install section describes it: the packed tarball installed into a separate
// strict TypeScript project (skipLibCheck off, tsc's default) with only the packages the README names for each entry
// point. Offline and deterministic: the tarball is unpacked into node_modules/stageflow-events (a real copy, so its
// declarations resolve only against this project), and each package the README names is linked from this repository's
// node_modules at the version the lock file pins, as `npm install` would place it. Nothing else is visible: no @types
// of a driver, no optional peer the README does not name.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/schemas.js';

// a generous budget for a loaded 2-core machine: packing, unpacking and two tsc runs
const BUDGET_MS = 600_000;

interface PackedManifest {
  readonly dependencies: Record<string, string>;
  readonly peerDependencies: Record<string, string>;
  readonly peerDependenciesMeta: Record<string, { optional?: boolean }>;
  readonly exports: Record<string, unknown>;
}

let project: string;
let packed: PackedManifest;

function run(cmd: string, args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    timeout: BUDGET_MS / 2,
    env: { ...process.env, NO_COLOR: '1' },
  });
}

function output(r: SpawnSyncReturns<string>): string {
  return `exit ${String(r.status)} ${r.error?.message ?? ''}\n${r.stdout}\n${r.stderr}`;
}

/** Makes `name` visible to the project as `npm install name` would (linked from this repository's node_modules). */
function install(name: string): void {
  const from = join(repoRoot, 'node_modules', name);
  if (!existsSync(from)) throw new Error(`${name} is not in this repository's node_modules (run npm ci)`);
  const to = join(project, 'node_modules', name);
  if (existsSync(to)) return;
  mkdirSync(dirname(to), { recursive: true });
  symlinkSync(from, to, 'dir');
}

function tsc(tsconfig: string): SpawnSyncReturns<string> {
  return run(process.execPath, [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig], project);
}

function node(file: string): SpawnSyncReturns<string> {
  return run(process.execPath, [file], project);
}

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: false,
    noEmit: true,
    types: ['node'],
  },
};

beforeAll(() => {
  if (!existsSync(join(repoRoot, 'dist', 'src', 'index.js')))
    throw new Error("dist/ is missing: run 'npm run build' first");
  project = mkdtempSync(join(tmpdir(), 'sfe-consumer-'));
  const packDir = join(project, 'pack');
  mkdirSync(packDir);
  const pack = run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', packDir], repoRoot);
  expect(pack.status, output(pack)).toBe(0);
  const tarball = readdirSync(packDir).find((f) => f.endsWith('.tgz'));
  expect(tarball, output(pack)).toBeDefined();
  const unpacked = join(project, 'unpacked');
  mkdirSync(unpacked);
  const untar = run('tar', ['-xzf', join(packDir, tarball as string), '-C', unpacked], project);
  expect(untar.status, output(untar)).toBe(0);
  mkdirSync(join(project, 'node_modules'), { recursive: true });
  cpSync(join(unpacked, 'package'), join(project, 'node_modules', 'stageflow-events'), { recursive: true });
  packed = JSON.parse(
    readFileSync(join(project, 'node_modules', 'stageflow-events', 'package.json'), 'utf8'),
  ) as PackedManifest;
  // what `npm install stageflow-events` installs: the dependencies, never an optional peer
  for (const dep of Object.keys(packed.dependencies)) install(dep);
  // what the README tells a TypeScript user to add: the compiler and Node's types
  install('typescript');
  install('@types/node');
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'consumer', private: true, type: 'module' })}\n`,
  );
}, BUDGET_MS);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('a consumer project with the packed tarball', () => {
  it(
    'installs neither the database drivers nor the codegen toolchain, which are optional peers',
    () => {
      for (const heavy of ['pg', 'ioredis', 'json-schema-to-typescript', 'handlebars']) {
        expect(packed.dependencies[heavy], heavy).toBeUndefined();
        expect(packed.peerDependencies[heavy], heavy).toBeDefined();
        expect(packed.peerDependenciesMeta[heavy]?.optional, heavy).toBe(true);
      }
      expect(packed.dependencies['better-sqlite3']).toBeDefined();
    },
    BUDGET_MS,
  );

  it(
    'compiles a file importing every subpath with tsc --strict and skipLibCheck off',
    () => {
      // stageflow-events/testing is a vitest matcher: the README names vitest for it
      install('vitest');
      const subpaths = Object.keys(packed.exports).filter((s) => s !== './package.json');
      expect(subpaths).toEqual(expect.arrayContaining(['.', './stores', './runtime', './codegen', './events']));
      const lines = subpaths.map(
        (s, i) => `import * as m${i} from '${s === '.' ? 'stageflow-events' : `stageflow-events/${s.slice(2)}`}';`,
      );
      lines.push(`export const all: readonly object[] = [${subpaths.map((_, i) => `m${i}`).join(', ')}];`);
      lines.push(
        "import { SqliteEventSink, type PgClient } from 'stageflow-events/stores';",
        "import { runCodegen, type CodegenOptions } from 'stageflow-events/codegen';",
        'export const sink = new SqliteEventSink({ path: "events.db" });',
        'export type Client = PgClient;',
        'export const codegen: (o?: CodegenOptions) => Promise<unknown> = runCodegen;',
      );
      mkdirSync(join(project, 'src'), { recursive: true });
      writeFileSync(join(project, 'src', 'every-subpath.ts'), `${lines.join('\n')}\n`);
      writeFileSync(
        join(project, 'tsconfig.json'),
        JSON.stringify({ ...TSCONFIG, include: ['src/every-subpath.ts'] }, null, 2),
      );
      const r = tsc('tsconfig.json');
      expect(r.status, output(r)).toBe(0);
    },
    BUDGET_MS,
  );

  it(
    'loads every entry point at run time without the optional peers, and names the package a store needs',
    () => {
      const file = join(project, 'load.mjs');
      const subpaths = Object.keys(packed.exports).filter((s) => s !== './package.json' && s !== './testing');
      writeFileSync(
        file,
        `${subpaths.map((s) => `await import('${s === '.' ? 'stageflow-events' : `stageflow-events/${s.slice(2)}`}');`).join('\n')}
import { connectPostgresStore, connectRedis } from 'stageflow-events/stores';
import { runCodegen } from 'stageflow-events/codegen';
for (const attempt of [() => connectPostgresStore('postgres://127.0.0.1:1/x'), () => connectRedis('redis://127.0.0.1:1'), () => runCodegen({ check: true, schemasDir: 'node_modules/stageflow-events/schemas', outDir: 'nowhere' })]) {
  try { await attempt(); console.log('no error'); } catch (e) { console.log(e.name + ': ' + e.message); }
}
`,
      );
      const r = node(file);
      expect(r.status, output(r)).toBe(0);
      const [pg, redis, codegen] = r.stdout.trim().split('\n');
      expect(pg).toMatch(/^MissingPeerDependencyError: the optional package 'pg' is not installed: .*npm install pg/);
      expect(redis).toMatch(
        /^MissingPeerDependencyError: the optional package 'ioredis' is not installed: .*npm install ioredis/,
      );
      expect(codegen).toMatch(
        /^MissingPeerDependencyError: the optional package '(handlebars|json-schema-to-typescript)' is not installed/,
      );
    },
    BUDGET_MS,
  );

  it(
    'runs codegen with the toolchain the README names, and the output imports stageflow-events/runtime and compiles',
    () => {
      for (const tool of ['json-schema-to-typescript', 'handlebars']) install(tool);
      // a small schema set of the project's own, as a user starts one
      const schemas = join(project, 'schemas');
      const shipped = join(project, 'node_modules', 'stageflow-events', 'schemas');
      cpSync(join(shipped, 'common'), join(schemas, 'common'), { recursive: true });
      cpSync(join(shipped, 'tool', 'tool.invoked.v1.json'), join(schemas, 'tool', 'tool.invoked.v1.json'));
      const cli = join(project, 'node_modules', 'stageflow-events', 'dist', 'src', 'cli', 'main.js');
      const r = run(process.execPath, [cli, 'codegen', '--schemas', 'schemas', '--out', 'generated'], project);
      expect(r.status, output(r)).toBe(0);
      const emit = readFileSync(join(project, 'generated', 'tool', 'tool-invoked', 'emit.ts'), 'utf8');
      expect(emit).toContain("from 'stageflow-events/runtime'");
      expect(emit).not.toContain('node_modules');
      writeFileSync(
        join(project, 'tsconfig.generated.json'),
        JSON.stringify({ ...TSCONFIG, include: ['generated/**/*.ts'] }, null, 2),
      );
      const compiled = tsc('tsconfig.generated.json');
      expect(compiled.status, output(compiled)).toBe(0);
    },
    BUDGET_MS,
  );
});
