import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  escapePointer,
  exampleProblems,
  EXAMPLES_MISSING_MESSAGE,
  FIELD_DESCRIPTION_MESSAGE,
  isDataKeyword,
  isNonTypeKeyword,
  pointerGet,
  undescribedFields,
  unescapePointer,
  walkSubschemas,
} from '../../codegen/schema-rules.js';

describe('schema rules', () => {
  it('escapes and unescapes JSON pointer segments (RFC 6901)', () => {
    expect(escapePointer('a/b~c')).toBe('a~1b~0c');
    expect(unescapePointer('a~1b~0c')).toBe('a/b~c');
    expect(pointerGet({ $defs: { 'a/b': { x: 1 } } }, '/$defs/a~1b/x')).toBe(1);
    expect(pointerGet({ a: 1 }, '/b')).toBeUndefined();
  });

  it('names every undescribed field with one message, at its description pointer', () => {
    const node = { properties: { ok: { description: 'fine' }, blank: { description: '  ' }, 'a/b': {} } };
    expect(undescribedFields(node, '/properties/x')).toEqual([
      { pointer: '/properties/x/properties/blank/description', message: FIELD_DESCRIPTION_MESSAGE },
      { pointer: '/properties/x/properties/a~1b/description', message: FIELD_DESCRIPTION_MESSAGE },
    ]);
  });

  it('asks for at least one example and reports each one that does not validate', () => {
    const validate = new Ajv2020({ allErrors: true }).compile({
      type: 'object',
      properties: { n: { type: 'integer', minimum: 0 } },
    });
    expect(exampleProblems({}, validate)).toEqual([{ pointer: '/examples', message: EXAMPLES_MISSING_MESSAGE }]);
    expect(exampleProblems({ examples: [{ n: 1 }, { n: -1 }] }, validate)).toEqual([
      { pointer: '/examples/1', message: 'the example does not validate: /n must be >= 0' },
    ]);
  });

  it('walks subschemas but never data, and tells the type compiler what to ignore', () => {
    const seen: string[] = [];
    walkSubschemas(
      { properties: { a: { type: 'string', examples: [{ properties: {} }] } }, items: [{ type: 'x' }] },
      (_n, p) => seen.push(p),
    );
    expect(seen).toEqual(['', '/properties/a', '/items/0']);
    expect(['examples', 'const', 'enum', 'default'].every(isDataKeyword)).toBe(true);
    expect(['x-family', '$id', '$schema', 'examples', 'title'].every(isNonTypeKeyword)).toBe(true);
    expect(isNonTypeKeyword('description')).toBe(false);
  });
});
