// where `diff` and `check --against` read a schema folder from: the disk, or a git ref read with `git ls-tree` and
// `git cat-file` (no checkout, the working tree is never touched)
import { execFileSync } from 'node:child_process';
import { relative, resolve, sep } from 'node:path';
import { loadSchemas } from '../../codegen/load.js';
import { SchemaError } from '../errors.js';
import type { SchemaSet } from '../evolution/index.js';

/** A schema folder that cannot be read: the message names the folder or ref and what went wrong. */
export class SchemaSourceError extends Error {}

/** Reads and parses every `*.json` below `dir` (errors name the file, line and column). */
export function readSchemaFolder(dir: string, display: string): SchemaSet {
  try {
    return new Map(loadSchemas(dir, display).map((s) => [s.file, s.json as unknown]));
  } catch (e) {
    if (e instanceof SchemaError) throw new SchemaSourceError(e.message);
    throw e;
  }
}

function git(cwd: string, args: readonly string[], input?: Buffer): Buffer {
  try {
    return execFileSync('git', args, {
      cwd,
      input,
      maxBuffer: 256 << 20,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    throw new SchemaSourceError(`git ${args[0]} failed${stderr ? `: ${stderr}` : ''}`);
  }
}

/**
 * Reads the folder `dir` (a path on disk inside a git work tree) as it is at `ref`, without a checkout:
 * `git ls-tree` lists the files, one `git cat-file --batch` reads them all.
 */
export function readSchemasAtRef(dir: string, ref: string, cwd: string): SchemaSet {
  if (ref.startsWith('-')) throw new SchemaSourceError(`--against expects a git ref, got '${ref}'`);
  const abs = resolve(cwd, dir);
  const top = git(cwd, ['rev-parse', '--show-toplevel']).toString().trim();
  const prefix = relative(top, abs).split(sep).join('/');
  try {
    git(top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new SchemaSourceError(`'${ref}' is not a commit in the git repository at ${top}`);
  }
  const listing = git(top, ['ls-tree', '-r', '-z', '--full-tree', ref, '--', prefix === '' ? '.' : prefix])
    .toString()
    .split('\0')
    .filter((l) => l !== '');
  const entries: { sha: string; file: string }[] = [];
  for (const line of listing) {
    const tab = line.indexOf('\t');
    const [, type, sha] = line.slice(0, tab).split(' ');
    const path = line.slice(tab + 1);
    if (type !== 'blob' || sha === undefined || !path.endsWith('.json')) continue;
    const file = prefix === '' ? path : path.slice(prefix.length + 1);
    entries.push({ sha, file });
  }
  if (entries.length === 0) throw new SchemaSourceError(`no *.json schema under '${prefix || '.'}' at ${ref}`);
  const out = git(top, ['cat-file', '--batch'], Buffer.from(`${entries.map((e) => e.sha).join('\n')}\n`));
  const set = new Map<string, unknown>();
  let at = 0;
  // the batch answers in the order asked
  for (const { file } of entries) {
    // header: "<sha> blob <size>\n", then the content, then "\n"
    const nl = out.indexOf(10, at);
    const size = Number(out.subarray(at, nl).toString().split(' ')[2]);
    const text = out.subarray(nl + 1, nl + 1 + size).toString('utf8');
    at = nl + 1 + size + 1;
    try {
      set.set(file, JSON.parse(text));
    } catch (cause) {
      throw new SchemaSourceError(`${prefix}/${file} at ${ref}: invalid JSON: ${(cause as Error).message}`);
    }
  }
  return set;
}
