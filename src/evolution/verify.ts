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
    code: { optimize: false },
  });
  for (const [name, fn] of Object.entries(formats)) ajv.addFormat(name, fn);
  const keyOf = new Map<string, string>();
  for (const [file, json] of set) {
    const id =
      json !== null && typeof json === 'object' && typeof (json as Record<string, unknown>).$id === 'string'
        ? ((json as Record<string, unknown>).$id as string)
        : ID_BASE + file;
    keyOf.set(file, id);
    try {
      ajv.addSchema(json as object, (json as Record<string, unknown>).$id === undefined ? id : undefined);
    } catch (e) {
      throw new CompileError(file, (e as Error).message);
    }
  }
  const compiled = new Map<string, ValidateFunction>();
  return (file, data) => {
    let fn = compiled.get(file);
    if (fn === undefined) {
      try {
        fn = ajv.getSchema(keyOf.get(file) ?? ID_BASE + file);
      } catch (e) {
        throw new CompileError(file, (e as Error).message);
      }
      if (fn === undefined) throw new CompileError(file, 'no such schema');
      compiled.set(file, fn);
    }
    return fn(data) === true;
  };
}
