import { describe, expect, it } from 'vitest';
import { createValidators, diffSchemaSets } from '../../src/evolution/index.js';
import { LABELLED_CHANGES, repoSchemas } from './labelled-changes.js';

const base = repoSchemas();

describe('the labelled set of schema changes', () => {
  it('holds at least 25 kinds of change', () => {
    expect(LABELLED_CHANGES.length).toBeGreaterThanOrEqual(25);
  });

  for (const change of LABELLED_CHANGES) {
    it(`${change.kind}: backward and forward verdicts match the label, every counterexample checked by both sides`, () => {
      const next = repoSchemas();
      change.edit(next);
      const report = diffSchemaSets(base, next, { mode: 'full' });
      const oldValid = createValidators(base);
      const newValid = createValidators(next);
      for (const e of change.expect) {
        const t = report.types.find(
          (x) => x.eventType === e.eventType && (e.change !== 'added' || x.change === 'added'),
        );
        if (e.change === 'unchanged') {
          expect(t, `${e.eventType} is listed`).toBeUndefined();
          continue;
        }
        expect(t, `${e.eventType} is not listed`).toBeDefined();
        if (t === undefined) continue;
        expect(t.change).toBe(e.change);
        for (const dir of ['backward', 'forward'] as const) {
          const got = t[dir];
          if (got === null && e.mayBeUndecided?.includes(dir)) continue;
          expect(got, `${e.eventType} ${dir}`).toBe(e[dir]);
        }
        for (const f of t.findings.filter((x) => x.decided)) {
          const [fromValid, toValid] = f.direction === 'backward' ? [oldValid, newValid] : [newValid, oldValid];
          const oldFile = t.change === 'added' ? undefined : t.file;
          const fromFile = f.direction === 'backward' ? oldFile : t.change === 'removed' ? undefined : t.file;
          const toFile = f.direction === 'backward' ? (t.change === 'removed' ? undefined : t.file) : oldFile;
          if (fromFile !== undefined) expect(fromValid(fromFile, f.counterexample), 'accepted by its side').toBe(true);
          if (toFile !== undefined) expect(toValid(toFile, f.counterexample), 'rejected by the other side').toBe(false);
        }
      }
      if (change.reaches !== undefined) expect(report.types).toHaveLength(change.reaches);
    });
  }
});
