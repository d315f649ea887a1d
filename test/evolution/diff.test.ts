import { describe, expect, it } from 'vitest';
import { diffSchemaSets } from '../../src/evolution/index.js';
import { repoSchemas } from './labelled-changes.js';

const base = repoSchemas();

describe('diffSchemaSets', () => {
  it('reports a change in schemas/common on every event type it reaches, naming the shared definition', () => {
    const next = repoSchemas();
    next.get('common/defs.v1.json').$defs.NonNegativeInt.minimum = 1;
    // the definitions that contain NonNegativeInt (GuardrailViolation does, in its location pair), then their users
    const defs = base.get('common/defs.v1.json').$defs as Record<string, unknown>;
    const holders = Object.keys(defs).filter(
      (name) => name === 'NonNegativeInt' || JSON.stringify(defs[name]).includes('$defs/NonNegativeInt"'),
    );
    const reaching = [...base.entries()]
      .filter(
        ([file, json]) =>
          !file.startsWith('common/') && holders.some((h) => JSON.stringify(json).includes(`$defs/${h}"`)),
      )
      .map(([, json]) => json['x-event-type'] ?? json['x-event-type-template'])
      .sort();
    expect(reaching.length).toBeGreaterThan(5);
    const report = diffSchemaSets(base, next);
    expect(report.types.map((t) => t.eventType).sort()).toEqual(reaching);
    for (const t of report.types) {
      expect(t).toMatchObject({ change: 'changed', backward: false, forward: true, compatible: false });
      for (const f of t.findings) expect(f.source).toBe('common/defs.v1.json#/$defs/NonNegativeInt');
    }
  });

  it('does not blame a shared definition for a property edited in place', () => {
    const next = repoSchemas();
    next.get('tool/tool.invoked.v1.json').properties.behavior = { type: 'string', description: 'never null' };
    const [t] = diffSchemaSets(base, next).types;
    expect(t?.findings[0]).toMatchObject({ instancePath: '/behavior', keyword: 'type' });
    expect(t?.findings[0]?.source).toBeUndefined();
  });

  it('lists nothing when only annotations, order and equivalent spellings changed', () => {
    const next = repoSchemas();
    const defs = next.get('common/defs.v1.json').$defs;
    defs.GuardrailViolation.properties.type.enum.reverse();
    defs.Uuid.description = 'reworded';
    defs.NonNegativeInt = { type: 'integer', exclusiveMinimum: -1, description: 'same set' };
    expect(diffSchemaSets(base, next, { mode: 'full' })).toEqual({ mode: 'full', verdict: 'compatible', types: [] });
  });

  it('uses x-compatibility over the mode, for that event type only', () => {
    const next = repoSchemas();
    const tool = next.get('tool/tool.invoked.v1.json');
    tool.required = tool.required.filter((k: string) => k !== 'tool_name');
    tool['x-compatibility'] = 'forward';
    const report = diffSchemaSets(base, next, { mode: 'backward' });
    expect(report.types[0]).toMatchObject({ mode: 'forward', backward: true, forward: false, compatible: false });
    expect(report.verdict).toBe('breaking');
  });
});
