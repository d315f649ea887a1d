// phase 5: the only phase that touches the disk; it swaps the whole output folder so it is never half-written
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { SchemaError } from '../src/errors.js';
import { hasBanner } from './render.js';

/** What differs between the output folder and freshly generated files. */
export interface Drift {
  readonly changed: readonly string[];
  readonly missing: readonly string[];
  readonly stale: readonly string[];
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/** Compares `files` with what is in `outDir` without writing anything (the `--check` mode). */
export function diffGenerated(outDir: string, files: ReadonlyMap<string, string>): Drift {
  const existing = listFiles(outDir);
  const changed: string[] = [];
  const missing: string[] = [];
  for (const [path, content] of files) {
    if (!existing.includes(path)) missing.push(path);
    else if (readFileSync(join(outDir, path), 'utf8') !== content) changed.push(path);
  }
  const stale = existing.filter((p) => !files.has(p));
  return { changed, missing, stale };
}

/**
 * Writes `files` into `outDir`: refuses (before writing anything) when a file it would overwrite or remove lacks the
 * generated banner, writes everything into a sibling staging folder, then swaps it in; stale generated files vanish.
 */
export function writeGenerated(outDir: string, files: ReadonlyMap<string, string>): Drift {
  const drift = diffGenerated(outDir, files);
  for (const path of listFiles(outDir)) {
    if (!hasBanner(readFileSync(join(outDir, path), 'utf8'))) {
      throw new SchemaError(
        join(outDir, path),
        '',
        'refusing to overwrite or remove a file without the generated banner; move it out of the generated folder',
      );
    }
  }
  const staging = `${outDir}.staging-${process.pid}`;
  const old = `${outDir}.old-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    for (const [path, content] of files) {
      const target = join(staging, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
  } catch (cause) {
    rmSync(staging, { recursive: true, force: true });
    throw cause;
  }
  if (existsSync(outDir)) renameSync(outDir, old);
  renameSync(staging, outDir);
  rmSync(old, { recursive: true, force: true });
  return drift;
}

/**
 * Writes only the files whose text differs from `previous` (what the folder held after the last write), each into a
 * temporary file beside it that is then renamed over the target, so a reader never sees a half-written file; removes
 * files no longer generated. Refuses, like {@link writeGenerated}, to touch a file without the banner.
 */
export function writeChangedFiles(
  outDir: string,
  previous: ReadonlyMap<string, string>,
  files: ReadonlyMap<string, string>,
): Drift {
  const changed: string[] = [];
  const missing: string[] = [];
  for (const [path, content] of files) {
    const before = previous.get(path);
    if (before === content) continue;
    (before === undefined ? missing : changed).push(path);
  }
  const stale = [...previous.keys()].filter((p) => !files.has(p));
  for (const path of [...changed, ...stale]) {
    const target = join(outDir, path);
    if (existsSync(target) && !hasBanner(readFileSync(target, 'utf8')))
      throw new SchemaError(target, '', 'refusing to overwrite or remove a file without the generated banner');
  }
  for (const path of [...changed, ...missing]) {
    const target = join(outDir, path);
    mkdirSync(dirname(target), { recursive: true });
    const tmp = `${target}.tmp-${process.pid}`;
    writeFileSync(tmp, files.get(path) as string);
    renameSync(tmp, target);
  }
  for (const path of stale) rmSync(join(outDir, path), { force: true });
  return { changed, missing, stale };
}
