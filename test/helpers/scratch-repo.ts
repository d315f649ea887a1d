// a scratch copy of this repository (schemas, codegen, src, generated, config; node_modules linked) in a temp folder,
// where a test can add schema versions, run codegen and the CLI from source, and let git see the history
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './schemas.js';

/** What one command in the scratch copy printed and returned. */
export interface ScratchRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A scratch copy of the repository. */
export interface ScratchRepo {
  readonly dir: string;
  /** `node --import tsx <script> ...args` in the scratch copy. */
  node(script: string, ...args: string[]): ScratchRun;
  /** The scratch copy's CLI, run from source: `stageflow-events ...args`. */
  cli(...args: string[]): ScratchRun;
  git(...args: string[]): ScratchRun;
  read(path: string): string;
  write(path: string, text: string): void;
  remove(): void;
}

/** Copies what codegen, the CLI and the runtime need into a new temp folder; `git` makes it a repository with one commit. */
export function scratchRepo(options: { git?: boolean } = {}): ScratchRepo {
  const dir = mkdtempSync(join(tmpdir(), 'sfe-scratch-'));
  for (const p of ['package.json', 'tsconfig.json', 'vitest.config.ts', 'schemas', 'codegen', 'src', 'generated'])
    cpSync(join(repoRoot, p), join(dir, p), { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const run = (cmd: string, args: readonly string[]): ScratchRun => {
    const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const repo: ScratchRepo = {
    dir,
    node: (script, ...args) => run(process.execPath, ['--import', 'tsx', script, ...args]),
    cli: (...args) => run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args]),
    git: (...args) => run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args]),
    read: (path) => readFileSync(join(dir, path), 'utf8'),
    write: (path, text) => writeFileSync(join(dir, path), text),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  if (options.git === true) {
    writeFileSync(join(dir, '.gitignore'), 'node_modules\n');
    repo.git('init', '-q', '-b', 'main');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'v1');
  }
  return repo;
}
