// `stageflow-events codegen --watch` driven as a subprocess on a scratch copy of the repository: an edit, a bad edit
// and a fix; the output stays byte-identical to a full run and the verdict against HEAD is printed
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchRepo, type ScratchRepo } from '../helpers/scratch-repo.js';

const SCHEMA = 'schemas/tool/tool.invoked.v1.json';

class Lines {
  readonly all: string[] = [];
  private waiters: { re: RegExp; from: number; resolve: (l: string) => void }[] = [];
  push(chunk: string): void {
    for (const l of chunk.split('\n').filter((x) => x !== '')) {
      this.all.push(l);
      this.waiters = this.waiters.filter((w) => {
        if (!w.re.test(l)) return true;
        w.resolve(l);
        return false;
      });
    }
  }
  /** Resolves with the first line matching `re` after the `from`-th line (by default, after what is there now). */
  next(re: RegExp, from = this.all.length): Promise<string> {
    const seen = this.all.slice(from).find((l) => re.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.waiters.push({ re, from, resolve });
      setTimeout(() => reject(new Error(`no line matching ${re} in:\n${this.all.join('\n')}`)), 120_000).unref();
    });
  }
}

describe('codegen --watch (subprocess on a scratch copy)', { timeout: 600_000 }, () => {
  let repo: ScratchRepo;
  let child: ChildProcess;
  const lines = new Lines();
  beforeAll(() => {
    repo = scratchRepo({ git: true });
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'codegen', '--watch'], {
      cwd: repo.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.setEncoding('utf8').on('data', (c: string) => lines.push(c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => lines.push(c));
  });
  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    repo?.remove();
  });

  it('starts, regenerates what an edit reaches and prints the verdict against HEAD', async () => {
    await lines.next(/codegen --watch: watching schemas/, 0);
    const mark = lines.all.length;
    const json = JSON.parse(repo.read(SCHEMA)) as { properties: { tool_name: { description: string } } };
    json.properties.tool_name.description = 'The tool, renamed in a test.';
    repo.write(SCHEMA, `${JSON.stringify(json, null, 2)}\n`);
    const done = await lines.next(/tool\.invoked\.v1\.json: \d+ files written/, mark);
    expect(done).toContain('schemas reached: 1');
    expect(repo.read('generated/tool/tool-invoked/types.ts')).toContain('The tool, renamed in a test.');
    await lines.next(/verdict against HEAD: compatible/, mark);
  });

  it('keeps running on a bad schema, naming the file and the JSON pointer, and leaves generated/ as it was', async () => {
    const before = repo.read('generated/tool/tool-invoked/types.ts');
    const mark = lines.all.length;
    const good = repo.read(SCHEMA);
    repo.write(SCHEMA, good.replace('"x-family": "tool"', '"x-family": "Tool"'));
    const line = await lines.next(/codegen --watch: error in/, mark);
    expect(line).toContain('schemas/tool/tool.invoked.v1.json at /x-family');
    await lines.next(/left as it was/, mark);
    expect(repo.read('generated/tool/tool-invoked/types.ts')).toBe(before);
    expect(child.exitCode).toBeNull();
    const fixMark = lines.all.length;
    repo.write(SCHEMA, good);
    await lines.next(/tool\.invoked\.v1\.json: \d+ files written/, fixMark);
  });

  it('notices a save made inside the 50 ms change throttle of the file watcher, while a regeneration starts', async () => {
    // chokidar drops a second change of one file within 50 ms of the first; the watch looks again after each run
    const before = repo.read('generated/tool/tool-invoked/types.ts');
    const mark = lines.all.length;
    const good = repo.read(SCHEMA);
    repo.write(SCHEMA, good.replace('"x-family": "tool"', '"x-family": "Tool"'));
    await new Promise((r) => setTimeout(r, 45));
    repo.write(SCHEMA, good);
    await lines.next(/tool\.invoked\.v1\.json: \d+ files written/, mark);
    expect(repo.read('generated/tool/tool-invoked/types.ts')).toBe(before);
  });

  it('prints a breaking verdict with a counterexample after an incompatible edit', async () => {
    const mark = lines.all.length;
    const json = JSON.parse(repo.read(SCHEMA)) as Record<string, unknown>;
    json.required = [...(json.required as string[]), 'stage'];
    json.examples = (json.examples as Record<string, unknown>[]).map((x) => ({ ...x, stage: 'tools' }));
    repo.write(SCHEMA, `${JSON.stringify(json, null, 2)}\n`);
    const v = await lines.next(/verdict against HEAD: tool\.invoked v1 BREAKING/, mark);
    expect(v).toContain('counterexample');
  });

  it('what watch mode wrote is byte-identical to a full codegen run', async () => {
    const r = repo.node('src/cli/main.ts', 'codegen', '--check');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
