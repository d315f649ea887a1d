// `stageflow-events codegen --watch`: regenerates on every save what the change reached, prints the compatibility
// verdict against a git ref (the semantic diff of src/evolution), and keeps running through bad schemas
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { watch } from 'chokidar';
import { incrementalCodegen } from '../../codegen/index.js';
import { SchemaError } from '../errors.js';
import { diffSchemaSets } from '../evolution/index.js';
import { readSchemaFolder, readSchemasAtRef } from './schema-source.js';

/** Options of {@link watchCodegen}. */
export interface WatchCodegenOptions {
  readonly schemasDir?: string;
  readonly outDir?: string;
  readonly runtimeImport?: string;
  /** The git ref the verdict compares against (default `HEAD`); `false` prints no verdict. */
  readonly against?: string | false;
  readonly cwd: string;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Wait this long after the last change before regenerating (several files saved at once). Default 40 ms. */
  readonly debounceMs?: number;
}

/** A running watch; `close()` stops it. */
export interface CodegenWatch {
  close(): Promise<void>;
  /** Settles when the first generation (and its verdict) is done. */
  readonly ready: Promise<void>;
}

// every schema file's modification time, to find saves the file watcher did not report
function schemaTimes(dir: string, into = new Map<string, number>()): Map<string, number> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return into;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) schemaTimes(p, into);
    else if (e.name.endsWith('.json')) {
      try {
        into.set(p, statSync(p).mtimeMs);
      } catch {
        // removed between the listing and the stat: the watcher reports the removal
      }
    }
  }
  return into;
}

// chokidar drops a second change of the same file within 50 ms of the first (its change throttle), so a save made
// while a regeneration was starting can go unreported: this long after each regeneration, look again
const RESCAN_AFTER_MS = 120;

/** Starts watching; the first run regenerates everything, each later one only what the saved schema reached. */
export function watchCodegen(options: WatchCodegenOptions): CodegenWatch {
  const schemasDir = resolve(options.cwd, options.schemasDir ?? 'schemas');
  const outDir = resolve(options.cwd, options.outDir ?? 'generated');
  const show = (abs: string): string => {
    const rel = relative(options.cwd, abs).split(sep).join('/');
    return rel === '' ? '.' : rel.startsWith('..') ? abs : rel;
  };
  const codegen = incrementalCodegen({
    schemasDir,
    outDir,
    ...(options.runtimeImport === undefined ? {} : { runtimeImport: options.runtimeImport }),
  });
  const against = options.against === undefined ? 'HEAD' : options.against;
  let running: Promise<void> = Promise.resolve();
  let pending: string[] = [];
  let timer: NodeJS.Timeout | undefined;

  const verdict = (): void => {
    if (against === false) return;
    try {
      const report = diffSchemaSets(
        readSchemasAtRef(schemasDir, against, options.cwd),
        readSchemaFolder(schemasDir, show(schemasDir)),
      );
      const notOk = report.types.filter((t) => t.compatible !== true);
      if (notOk.length === 0) options.out(`verdict against ${against}: compatible (${report.mode})`);
      else
        for (const t of notOk) {
          const first = t.findings.find((f) => f.decided);
          options.out(
            `verdict against ${against}: ${t.eventType} v${t.version} ${t.compatible === false ? 'BREAKING' : 'UNDECIDED'} under ${t.mode}${first ? ` (${first.instancePath || '/'} ${first.message}; counterexample ${JSON.stringify(first.counterexample)})` : ''}`,
          );
        }
    } catch (e) {
      options.out(`verdict against ${against}: not available (${e instanceof Error ? e.message : String(e)})`);
    }
  };

  let rescan: NodeJS.Timeout | undefined;
  let closed = false;
  const regenerate = async (changed: readonly string[]): Promise<void> => {
    const started = performance.now();
    const seen = schemaTimes(schemasDir);
    try {
      await generate(changed, started);
    } finally {
      if (!closed) {
        if (rescan !== undefined) clearTimeout(rescan);
        rescan = setTimeout(() => {
          rescan = undefined;
          const now = schemaTimes(schemasDir);
          for (const [path, mtime] of now) if (seen.get(path) !== mtime) onEvent(path);
          for (const path of seen.keys()) if (!now.has(path)) onEvent(path);
        }, RESCAN_AFTER_MS);
      }
    }
  };

  const generate = async (changed: readonly string[], started: number): Promise<void> => {
    try {
      const r = await codegen.run();
      const ms = performance.now() - started;
      const n = r.drift.changed.length + r.drift.missing.length + r.drift.stale.length;
      const what = changed.length ? changed.map(show).join(', ') : 'start';
      options.out(
        `codegen --watch: ${what}: ${n} files written in ${ms.toFixed(0)} ms (schemas reached: ${r.reached?.length ?? 0})`,
      );
      for (const f of r.stubsWritten) options.out(`codegen --watch: wrote the upcaster stub upcasters/${f}`);
      verdict();
    } catch (e) {
      if (e instanceof SchemaError)
        options.err(`codegen --watch: error in ${e.file} at ${e.pointer || '/'}: ${e.message}`);
      else options.err(`codegen --watch: ${e instanceof Error ? e.message : String(e)}`);
      options.err('codegen --watch: generated/ left as it was; waiting for the next save');
    }
  };

  const watcher = watch(schemasDir, { ignoreInitial: true });
  const onEvent = (path: string): void => {
    if (!path.endsWith('.json')) return;
    pending.push(path);
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      const batch = [...new Set(pending)].sort();
      pending = [];
      running = running.then(() => regenerate(batch));
    }, options.debounceMs ?? 40);
  };
  watcher.on('add', onEvent).on('change', onEvent).on('unlink', onEvent);
  const ready = new Promise<void>((resolveReady) => {
    watcher.on('ready', () => {
      running = running.then(() => regenerate([]));
      void running.then(() => {
        options.out(`codegen --watch: watching ${show(schemasDir)} (Ctrl-C to stop)`);
        resolveReady();
      });
    });
  });
  return {
    ready,
    close: async () => {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      if (rescan !== undefined) clearTimeout(rescan);
      await watcher.close();
      await running;
    },
  };
}
