// verify: the real validators of one side, compiled at run time with Ajv (draft 2020-12, our `uuid`/`date-time`
// format functions, as the generated validators are built). A counterexample is printed only when the validators
// of both sides agree it separates them.
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { formats } from '../runtime/formats.js';
import { ID_BASE, type SchemaSet } from './normalise.js';

/** Checks `data` against the schema file `file` of one side. */
export type SideValidator = (file: string, data: unknown) => boolean;

/** A schema of a side that Ajv cannot compile. */
export class CompileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: does not compile: ${problem}`);
  }
}

/** Compiles each schema of `set` on first use; every `$ref` between files resolves as in the generated validators. */
export function createValidators(set: SchemaSet): SideValidator {
  const ajv = new Ajv2020({
    strict: false,
    allErrors: false,
    logger: false,
    validateSchema: false,
    inlineRefs: false,
    code: { optimize: false },
  });
  for (const [name, fn] of Object.entries(formats)) ajv.addFormat(name, fn);
  // shared definitions are added up front; an event schema only when its validator is first asked for
  const keyOf = new Map<string, string>();
  const add = (file: string, json: unknown): void => {
    try {
      ajv.addSchema(json as object, (json as Record<string, unknown>).$id === undefined ? keyOf.get(file) : undefined);
    } catch (e) {
      throw new CompileError(file, (e as Error).message);
    }
  };
  const pending = new Map<string, unknown>();
  for (const [file, json] of set) {
    const j = json !== null && typeof json === 'object' ? (json as Record<string, unknown>) : {};
    keyOf.set(file, typeof j.$id === 'string' ? j.$id : ID_BASE + file);
    if ('x-event-type' in j || 'x-event-type-pattern' in j) pending.set(file, json);
    else add(file, json);
  }
  const compiled = new Map<string, ValidateFunction>();
  return (file, data) => {
    let fn = compiled.get(file);
    if (fn === undefined) {
      if (pending.has(file)) {
        add(file, pending.get(file));
        pending.delete(file);
      }
      const key = keyOf.get(file) ?? ID_BASE + file;
      try {
        fn = ajv.getSchema(key);
      } catch (e) {
        if (pending.size === 0) throw new CompileError(file, (e as Error).message);
        // a $ref into another event schema: add every schema, then try once more
        for (const [f, json] of pending) add(f, json);
        pending.clear();
        try {
          fn = ajv.getSchema(key);
        } catch (again) {
          throw new CompileError(file, (again as Error).message);
        }
      }
      if (fn === undefined) throw new CompileError(file, 'no such schema');
      compiled.set(file, fn);
    }
    return fn(data) === true;
  };
}
