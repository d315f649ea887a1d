// upcasters: for each step vN -> vN+1 of a type, the author's typed function in `upcasters/<type>.vN-to-vN+1.ts`
// (codegen writes a stub once and never overwrites it), the generated chain `generated/upcasters.ts` and the
// generated test `generated/upcasters.test.ts` that upcasts every example and every valid generated fixture of vN
// and validates it against vN+1
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventModel, Model, UpcastStep } from './model.js';
import { banner } from './render.js';

/** The marker a stub carries until its author replaces the body; `check` fails while it is there. */
export const STUB_MARKER = 'stageflow-events:upcaster-stub';

/** Where one step's upcaster stands. */
export interface UpcasterState {
  /** `upcasters/tool.invoked.v1-to-v2.ts` as users see it. */
  readonly file: string;
  readonly type: string;
  readonly from: number;
  readonly to: number;
  readonly state: 'missing' | 'stub' | 'written';
}

function dataName(e: EventModel): string {
  return e.latest || e.versioned === undefined ? e.names.data : e.versioned.data;
}
function descriptorName(e: EventModel): string {
  return e.latest || e.versioned === undefined ? e.names.descriptor : e.versioned.descriptor;
}
function fnName(step: UpcastStep): string {
  return `upcast${step.to.names.envelope}V${step.from.version}ToV${step.to.version}`;
}

/** The stub written once for `step`; `generatedImport` is how the upcasters folder reaches the generated index. */
export function stubText(step: UpcastStep, generatedImport: string): string {
  const from = step.from.versioned?.data ?? dataName(step.from);
  const to = step.to.versioned?.data ?? dataName(step.to);
  return [
    `// Upcaster for \`${step.type}\` from version ${step.from.version} to version ${step.to.version}. Codegen wrote this stub`,
    '// once and never overwrites it: it is yours. Replace the body with the real conversion; `stageflow-events check`',
    "// fails while the stub's body is here, and a generated test upcasts every example and every valid generated fixture",
    '// of the old version (optional fields absent, nullable fields null, boundaries, long strings) and validates the',
    '// result against the new schema.',
    `import type { ${[from, to].sort().join(', ')} } from '${generatedImport}';`,
    '',
    `export function upcast(_event: ${from}): ${to} {`,
    `  throw new Error('the upcaster ${step.type} v${step.from.version} -> v${step.to.version} is still the stub'); // ${STUB_MARKER}`,
    '}',
    '',
  ].join('\n');
}

/** Reads where every step's upcaster stands in `upcastersDir`. */
export function upcasterStates(model: Model, upcastersDir: string, display = 'upcasters'): UpcasterState[] {
  return model.upcastSteps.map((step) => {
    const path = join(upcastersDir, step.file);
    const state = !existsSync(path) ? 'missing' : readFileSync(path, 'utf8').includes(STUB_MARKER) ? 'stub' : 'written';
    return { file: `${display}/${step.file}`, type: step.type, from: step.from.version, to: step.to.version, state };
  });
}

/** Writes the stub of every step that has no upcaster yet; never touches an existing file. Returns the files written. */
export function writeMissingStubs(model: Model, upcastersDir: string, generatedImport: string): string[] {
  const written: string[] = [];
  for (const step of model.upcastSteps) {
    const path = join(upcastersDir, step.file);
    if (existsSync(path)) continue;
    mkdirSync(upcastersDir, { recursive: true });
    writeFileSync(path, stubText(step, generatedImport), { flag: 'wx' });
    written.push(step.file);
  }
  return written;
}

/** `generated/upcasters.ts`: the chain of steps and `upcastRecord`, which carries a record forward to the latest version. */
export function renderUpcasters(model: Model, upcastersImport: string): string {
  const lines = [
    banner('schemas/ (every event schema) and upcasters/'),
    `import type { EventDescriptor } from '${model.runtimeImportFromRoot}';`,
    "import { findEventDescriptor } from './events.js';",
  ];
  const imported = new Set<string>();
  for (const step of model.upcastSteps) {
    lines.push(`import { upcast as ${fnName(step)} } from '${upcastersImport}/${step.file.replace(/\.ts$/, '.js')}';`);
    for (const e of [step.from, step.to]) {
      const d = descriptorName(e);
      if (imported.has(d)) continue;
      imported.add(d);
      lines.push(`import { ${d} } from './${e.dir}/${e.latest ? 'emit' : 'descriptor'}.js';`);
    }
  }
  lines.push(
    '',
    '/** One upcast step of a type: the author-written function from `from` to `to` and the examples of `from`. */',
    'export interface UpcastStepInfo {',
    '  /** The type string, or the template of a pattern type. */',
    '  readonly type: string;',
    '  readonly from: number;',
    '  readonly to: number;',
    "  /** The author's file, below the upcasters folder. */",
    '  readonly file: string;',
    '  readonly fromDescriptor: EventDescriptor;',
    '  readonly toDescriptor: EventDescriptor;',
    '  readonly upcast: (data: never) => unknown;',
    '  /** The `examples` of the `from` schema, which the generated test upcasts and validates against `to`. */',
    '  readonly examples: readonly unknown[];',
    '}',
    '',
    '/** Every upcast step, sorted by type then version. */',
    'export const UPCAST_STEPS: readonly UpcastStepInfo[] = [',
  );
  for (const step of model.upcastSteps) {
    lines.push(
      '  {',
      `    type: '${step.type}',`,
      `    from: ${step.from.version},`,
      `    to: ${step.to.version},`,
      `    file: '${step.file}',`,
      `    fromDescriptor: ${descriptorName(step.from)} as EventDescriptor,`,
      `    toDescriptor: ${descriptorName(step.to)} as EventDescriptor,`,
      `    upcast: ${fnName(step)} as (data: never) => unknown,`,
      `    examples: ${JSON.stringify(step.from.examples.map((x) => JSON.parse(x) as unknown))},`,
      '  },',
    );
  }
  lines.push(
    '];',
    '',
    '/** What {@link upcastRecord} did to one record. */',
    'export interface UpcastResult {',
    '  readonly data: unknown;',
    '  /** The version the data now has. */',
    '  readonly version: number;',
    '  /** The steps applied, in order, such as `tool.invoked v1->v2`. */',
    '  readonly steps: readonly string[];',
    '}',
    '',
    '/**',
    ' * Carries `data` of `type` at `version` forward through every step up to the latest version; a type or version',
    ' * without steps comes back unchanged. An upcaster that throws propagates its error.',
    ' */',
    'export function upcastRecord(type: string, version: number, data: unknown): UpcastResult {',
    '  const key = findEventDescriptor(type)?.type ?? type;',
    '  let current = data;',
    '  let at = version;',
    '  const steps: string[] = [];',
    '  for (const step of UPCAST_STEPS) {',
    '    if (step.type !== key || step.from !== at) continue;',
    '    current = step.upcast(current as never);',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: writes a template literal into generated code
    '    steps.push(`${step.type} v${step.from}->v${step.to}`);',
    '    at = step.to;',
    '  }',
    '  return { data: current, version: at, steps };',
    '}',
    '',
  );
  return lines.join('\n');
}

/**
 * How the generated test reaches the public conformance API (`generateFixtures`): the package root beside the public
 * runtime export, `../conformance/index.js` beside a relative runtime path inside this package's own source tree.
 */
export function conformanceImport(runtimeImportFromRoot: string): string {
  return runtimeImportFromRoot.endsWith('/runtime/index.js')
    ? runtimeImportFromRoot.replace(/\/runtime\/index\.js$/, '/conformance/index.js')
    : 'stageflow-events';
}

/**
 * `generated/upcasters.test.ts`: every example of vN, and every valid fixture the conformance generator derives from
 * the vN schema at test time (optional fields absent, nullable fields null, boundary numbers, long and unicode
 * strings), upcast, validates against vN+1; a failure names the fixture's label.
 */
export function renderUpcastersTest(model: Model): string {
  const lines = [
    banner('schemas/ (every event schema) and upcasters/'),
    "import { describe, expect, it } from 'vitest';",
    `import { type FixtureSchema, generateFixtures } from '${conformanceImport(model.runtimeImportFromRoot)}';`,
    "import { UPCAST_STEPS, type UpcastStepInfo } from './upcasters.js';",
    '',
    "/** The dereferenced schema of every step's `from` version, the input of the fixture generator. */",
    'const FROM_SCHEMAS: Readonly<Record<string, FixtureSchema>> = {',
  ];
  for (const step of model.upcastSteps) {
    const schema = {
      type: step.type,
      template: step.from.pattern !== undefined,
      schema: step.from.dereferenced,
    };
    lines.push(`  ${JSON.stringify(`${step.type} v${step.from.version}`)}: ${JSON.stringify(schema)},`);
  }
  lines.push(
    '};',
    '',
    "/** Upcasts `data` and validates it against the step's `to` version; a failure says what went wrong. */",
    'function failure(step: UpcastStepInfo, data: unknown): string | undefined {',
    '  let out: unknown;',
    '  try {',
    '    out = step.upcast(structuredClone(data) as never);',
    '  } catch (e) {',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: writes a template literal into generated code
    '    return `the upcaster threw: ${e instanceof Error ? e.message : String(e)}`;',
    '  }',
    '  if (step.toDescriptor.validate(out) === true) return undefined;',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: writes a template literal into generated code
    "  const errors = (step.toDescriptor.validate.errors ?? []).map((x) => `${x.instancePath || '/'} ${x.message ?? ''}`);",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: writes a template literal into generated code
    "  return `not a valid v${step.to}: ${errors.join('; ')}`;",
    '}',
    '',
    "describe('upcasters (generated by codegen)', () => {",
    '  for (const step of UPCAST_STEPS) {',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: writes a template literal into generated code
    '    it(`${step.type} v${step.from} -> v${step.to}: every example of v${step.from}, upcast, is a valid v${step.to}`, () => {',
    '      expect(step.examples.length).toBeGreaterThan(0);',
    '      const failures = step.examples.flatMap((example, i) => {',
    '        const f = failure(step, example);',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: writes a template literal into generated code
    '        return f === undefined ? [] : [`example ${i + 1}: ${f}`];',
    '      });',
    '      expect(failures).toEqual([]);',
    '    });',
    '',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: writes a template literal into generated code
    '    it(`${step.type} v${step.from} -> v${step.to}: every valid generated fixture of v${step.from}, upcast, is a valid v${step.to}`, () => {',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: writes a template literal into generated code
    '      const schema = FROM_SCHEMAS[`${step.type} v${step.from}`];',
    '      expect(schema).toBeDefined();',
    '      const corpus = generateFixtures([schema as FixtureSchema], (_type, data) => step.fromDescriptor.validate(data) === true);',
    '      expect(corpus.valid.length).toBeGreaterThan(0);',
    '      const failures = corpus.valid.flatMap((fixture) => {',
    '        const f = failure(step, fixture.event.data);',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: writes a template literal into generated code
    '        return f === undefined ? [] : [`${fixture.label}: ${f}`];',
    '      });',
    '      expect(failures).toEqual([]);',
    '    });',
    '  }',
    '});',
    '',
  );
  return lines.join('\n');
}
