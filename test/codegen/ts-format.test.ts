import { compile } from 'json-schema-to-typescript';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { loadSchemas } from '../../codegen/load.js';
import { resolveSchemas } from '../../codegen/resolve.js';
import { formatGeneratedTypes, Unformattable } from '../../codegen/ts-format.js';
import { repoRoot } from '../helpers/schemas.js';

const style = { singleQuote: true, printWidth: 120, trailingComma: 'all' } as const;
const raw = (schema: Record<string, unknown>, name: string): Promise<string> =>
  compile(schema as never, name, {
    bannerComment: '// banner',
    additionalProperties: false,
    strictIndexSignatures: true,
    unknownAny: true,
    format: false,
    $refOptions: { resolve: { http: false, file: false } } as never,
  });
const viaPrettier = (text: string): Promise<string> =>
  prettier.format(text, { parser: 'typescript', filepath: 'schema.d.ts', ...style });

describe('the types printer that replaces prettier in codegen', { timeout: 240_000 }, () => {
  it('prints every shipped schema exactly as prettier does', async () => {
    const set = resolveSchemas(loadSchemas(`${repoRoot}schemas`));
    for (const e of set.events) {
      const text = await raw({ ...e.dereferenced, title: 'PayloadData' }, 'PayloadData');
      expect(formatGeneratedTypes(text), e.source.displayPath).toBe(await viaPrettier(text));
    }
  });

  it('breaks long unions and tuples of objects the way prettier does', async () => {
    const long = Array.from({ length: 14 }, (_, i) => `value_number_${i}`);
    const schema = {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'pairs', 'rows'],
      properties: {
        kind: { description: 'A long enum.', enum: long },
        pairs: {
          type: 'array',
          minItems: 1,
          items: { type: 'object', additionalProperties: true, properties: { a: { type: ['string', 'null'] } } },
        },
        rows: { type: 'array', items: { type: 'array', items: { enum: [1, 2, 3] } } },
      },
    };
    const text = await raw(schema, 'Wide');
    expect(formatGeneratedTypes(text)).toBe(await viaPrettier(text));
    expect(formatGeneratedTypes(text)).toContain("\n    | 'value_number_0'\n");
  });

  it('refuses what it does not know, so codegen falls back to prettier', async () => {
    const text = await raw(
      { type: 'object', additionalProperties: false, properties: { q: { const: "it's" } } },
      'Quoted',
    );
    expect(() => formatGeneratedTypes(text)).toThrow(Unformattable);
  });
});
