// the codegen pipeline: load -> resolve -> model -> render -> write
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve as resolvePath, sep } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadSchemas } from './load.js';
import { resolveSchemas } from './resolve.js';
import { buildModel } from './model.js';
import { render, type RenderCache } from './render.js';
import { upcasterStates, writeMissingStubs, type UpcasterState } from './upcasters.js';
import { diffGenerated, writeChangedFiles, writeGenerated, type Drift } from './write.js';

/** Options of {@link runCodegen}. */
export interface CodegenOptions {
  /** The schemas folder. Default `schemas` in the current directory. */
  readonly schemasDir?: string;
  /** The output folder. Default `generated` in the current directory. */
  readonly outDir?: string;
  /** Compare instead of writing. Default false. */
  readonly check?: boolean;
  /** The folder of the author's upcasters. Default `upcasters` beside the schemas folder. */
  readonly upcastersDir?: string;
  /** How generated files import the runtime: a package specifier such as `stageflow-events/runtime`. Default: the package's public `stageflow-events/runtime` export in a project that has the package installed; a relative path to `src/runtime/index.js` only inside this package's own source tree. */
  readonly runtimeImport?: string;
}

/** What one codegen run did. */
export interface CodegenResult {
  readonly files: ReadonlyMap<string, string>;
  readonly drift: Drift;
  readonly events: number;
  /** Where each upcast step's upcaster stands (after this run wrote the missing stubs, unless checking). */
  readonly upcasters: readonly UpcasterState[];
  /** Upcaster stubs this run wrote (below the upcasters folder). */
  readonly stubsWritten: readonly string[];
  /** In an incremental run: the schema files whose dereferenced form changed (compiled and rendered again). */
  readonly reached?: readonly string[];
}

// the package root (the folder of our package.json), so the source tree and dist/ compute the same import paths
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'stageflow-events')
      return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('codegen: cannot find the stageflow-events package root');
    dir = up;
  }
}

const runtimeDir = join(packageRoot(), 'src', 'runtime');

/** The specifier generated code in a consumer project imports the runtime by. */
export const PUBLIC_RUNTIME_IMPORT = 'stageflow-events/runtime';

// A consumer project (where `stageflow-events` resolves from the output folder) and an installed package (no src/)
// import the public export; only this package's own source tree, or a folder that cannot see the package, imports
// src/runtime by relative path
function usePublicRuntimeImport(outDir: string): boolean {
  if (!existsSync(runtimeDir)) return true;
  const rel = relative(packageRoot(), outDir);
  if (!rel.startsWith('..') && !isAbsolute(rel)) return false;
  try {
    createRequire(join(outDir, 'codegen.cjs')).resolve('stageflow-events/package.json');
    return true;
  } catch {
    return false;
  }
}

/** Runs the whole pipeline; in check mode nothing is written and `drift` says what is stale. */
export async function runCodegen(options: CodegenOptions = {}): Promise<CodegenResult> {
  return generate(options, undefined);
}

/** What the caches of an {@link incrementalCodegen} hold between runs. */
interface IncrementalState {
  /** Per schema file: its dereferenced schema as JSON, to tell which ones a change reached. */
  readonly dereferenced: Map<string, string>;
  readonly render: RenderCache;
  /** What the output folder holds, as last written. */
  files: Map<string, string> | undefined;
}

async function generate(options: CodegenOptions, state: IncrementalState | undefined): Promise<CodegenResult> {
  const schemasDir = resolvePath(options.schemasDir ?? 'schemas');
  const outDir = resolvePath(options.outDir ?? 'generated');
  // banners name the schema by the folder's own name, never by an absolute or cwd-dependent path
  const loaded = loadSchemas(schemasDir, basename(schemasDir));
  const reached: string[] = [];
  const set = resolveSchemas(
    loaded,
    state === undefined
      ? {}
      : {
          // only schemas whose dereferenced form changed (the edited file, and every schema whose $ref reaches it)
          shouldCompile: (source, dereferenced) => {
            const text = JSON.stringify(dereferenced);
            const changed = state.dereferenced.get(source.file) !== text;
            if (changed) reached.push(source.displayPath);
            return changed;
          },
        },
  );
  const publicImport = usePublicRuntimeImport(outDir);
  const runtimeImport = (depth: number): string => {
    if (options.runtimeImport) return options.runtimeImport;
    if (publicImport) return PUBLIC_RUNTIME_IMPORT;
    const from = depth === 0 ? outDir : resolvePath(outDir, 'a', 'b');
    const rel = relative(from, runtimeDir).split(sep).join('/');
    return `${rel.startsWith('.') ? rel : `./${rel}`}/index.js`;
  };
  const model = buildModel(set, runtimeImport);
  const upcastersDir = resolvePath(options.upcastersDir ?? join(dirname(schemasDir), 'upcasters'));
  const importPath = (from: string, to: string): string => {
    const rel = relative(from, to).split(sep).join('/');
    return rel.startsWith('.') ? rel : `./${rel}`;
  };
  const files = await render(set, model, importPath(outDir, upcastersDir), state?.render);
  let drift: Drift;
  if (options.check) drift = diffGenerated(outDir, files);
  else if (state?.files === undefined) drift = writeGenerated(outDir, files);
  else drift = writeChangedFiles(outDir, state.files, files);
  if (state !== undefined) {
    state.files = files;
    state.dereferenced.clear();
    for (const e of set.events) state.dereferenced.set(e.source.file, JSON.stringify(e.dereferenced));
    for (const t of set.sharedTypes) state.dereferenced.set(t.source.file, JSON.stringify(t.dereferenced));
  }
  const stubsWritten = options.check
    ? []
    : writeMissingStubs(model, upcastersDir, `${importPath(upcastersDir, outDir)}/index.js`);
  const upcasters = upcasterStates(model, upcastersDir, basename(upcastersDir));
  return { files, drift, events: model.events.length, upcasters, stubsWritten, reached };
}

/** A codegen that keeps its work between runs: each run compiles and renders only the schemas a change reached. */
export interface IncrementalCodegen {
  /** Regenerates; the first run writes everything (the folder swapped in whole), later ones only changed files. */
  run(): Promise<CodegenResult>;
}

/**
 * The codegen behind `codegen --watch`: a run after an edit loads and dereferences every schema (cheap), but compiles
 * and renders only the ones whose dereferenced form changed, and writes only the files whose text changed, each to a
 * temporary file renamed over the old one. The output is byte-identical to a full run.
 */
export function incrementalCodegen(options: Omit<CodegenOptions, 'check'> = {}): IncrementalCodegen {
  const state: IncrementalState = { dereferenced: new Map(), render: new Map(), files: undefined };
  return {
    run: async () => {
      try {
        return await generate(options, state);
      } catch (e) {
        // a failed run may have half-filled the caches: the next one starts from the files on disk again
        state.dereferenced.clear();
        throw e;
      }
    },
  };
}

/** True when a check found nothing stale. */
export function isClean(drift: Drift): boolean {
  return drift.changed.length === 0 && drift.missing.length === 0 && drift.stale.length === 0;
}
