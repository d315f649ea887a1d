// Text a user reads speaks of this product: schema descriptions, the generated JSDoc and the catalogue name the Python
// framework we follow plainly (the README defines it once) and never point at documents a user of this package does
// not have ("the reference", "catalogue 3.9", an internal bug tracker)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/schemas.js';

const UNKNOWABLE =
  /\bthe reference\b|\breference's\b|\breference (?:framework|behaviou?r|protocol|sample)|\bcatalogue(?: section)? \d|\bBUG-\d|production-testers|\bthe seed\b|\bseed's\b|stageflow-events\.md|observability-guide\.md/i;

function files(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(join(repoRoot, dir), { recursive: true })
    .map(String)
    .filter(keep)
    .map((f) => join(dir, f));
}

function offending(path: string): string[] {
  return readFileSync(join(repoRoot, path), 'utf8')
    .split('\n')
    .map((line, i) => ({ line, n: i + 1 }))
    .filter(({ line }) => UNKNOWABLE.test(line))
    .map(({ line, n }) => `${path}:${n}: ${line.trim().slice(0, 160)}`);
}

describe('user-facing wording', () => {
  it('schema descriptions never cite "the reference" or catalogue sections', () => {
    expect(files('schemas', (f) => f.endsWith('.json')).flatMap(offending)).toEqual([]);
  });

  it('the generated JSDoc and the catalogue never do either', () => {
    expect(files('generated', (f) => f.endsWith('.ts') || f.endsWith('.md')).flatMap(offending)).toEqual([]);
  });

  it('JSDoc and messages in src/ and codegen/ (they reach the published .d.ts files and the CLI) never do either', () => {
    const source = (f: string) => f.endsWith('.ts') || f.endsWith('.hbs');
    expect([...files('src', source), ...files('codegen', source)].flatMap(offending)).toEqual([]);
  });

  it('the README, ARCHITECTURE.md, codegen/README.md and the examples never do either', () => {
    const docs = ['README.md', 'ARCHITECTURE.md', join('codegen', 'README.md')];
    const examples = files('examples', (f) => f.endsWith('.md') || f.endsWith('.ts'));
    expect([...docs, ...examples].flatMap(offending)).toEqual([]);
  });

  it('the README defines "the Python framework we follow" once', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    expect(readme.match(/\*\*The Python framework we follow\*\* is /g)).toHaveLength(1);
  });
});
