// A small printer for the TypeScript that json-schema-to-typescript writes (interfaces, type aliases, unions, arrays,
// tuples, object literals, literals): it lays it out the way prettier does with our style (2 spaces, single quotes,
// print width 120, trailing commas), so codegen need not load and run prettier, which was most of its time.
// Anything outside that subset throws `Unformattable`, and the caller falls back to prettier for that file.

/** The formatter met syntax it does not know; the caller formats the file with prettier instead. */
export class Unformattable extends Error {}

const WIDTH = 120;

type Tok =
  | { k: 'comment'; v: string }
  | { k: 'line'; v: string }
  | { k: 'ident'; v: string }
  | { k: 'str'; v: string }
  | { k: 'num'; v: string }
  | { k: 'punct'; v: string }
  | { k: 'blank' };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === '\n') {
      // a blank line between top-level items is kept (prettier keeps at most one)
      let j = i + 1;
      while (src[j] === ' ' || src[j] === '\t') j++;
      if (src[j] === '\n') out.push({ k: 'blank' });
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      if (end === -1) throw new Unformattable('unterminated comment');
      out.push({ k: 'comment', v: src.slice(i, end + 2) });
      i = end + 2;
      continue;
    }
    if (src.startsWith('//', i)) {
      const end = src.indexOf('\n', i);
      const stop = end === -1 ? src.length : end;
      out.push({ k: 'line', v: src.slice(i, stop).trimEnd() });
      i = stop;
      continue;
    }
    if (src.startsWith('...', i)) {
      out.push({ k: 'punct', v: '...' });
      i += 3;
      continue;
    }
    if ('{}[]()|&:;,?=<>'.includes(c)) {
      out.push({ k: 'punct', v: c });
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\') j++;
        j++;
      }
      const raw = src.slice(i, j + 1);
      out.push({ k: 'str', v: JSON.parse(raw) as string });
      i = j + 1;
      continue;
    }
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i, i + 40));
    if (num) {
      out.push({ k: 'num', v: num[0] });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_$][\w$]*/.exec(src.slice(i, i + 200));
    if (id) {
      out.push({ k: 'ident', v: id[0] });
      i += id[0].length;
      continue;
    }
    throw new Unformattable(`unexpected character ${JSON.stringify(c)}`);
  }
  return out;
}

type TypeNode =
  | { t: 'atom'; text: string }
  | { t: 'union'; members: TypeNode[] }
  | { t: 'array'; of: TypeNode }
  | { t: 'tuple'; items: TypeNode[]; rest: TypeNode | undefined }
  | { t: 'object'; members: Member[] };

interface Member {
  readonly comment: string | undefined;
  /** `name`, `name?` or `[k: string]` */
  readonly key: string;
  readonly type: TypeNode;
}

class Parser {
  i = 0;
  constructor(readonly toks: Tok[]) {}
  peek(): Tok | undefined {
    return this.toks[this.i];
  }
  isPunct(v: string): boolean {
    const t = this.peek();
    return t?.k === 'punct' && t.v === v;
  }
  expect(v: string): void {
    if (!this.isPunct(v)) throw new Unformattable(`expected '${v}'`);
    this.i++;
  }
  skipBlanks(): void {
    while (this.peek()?.k === 'blank') this.i++;
  }
  type(): TypeNode {
    this.skipBlanks();
    if (this.isPunct('|')) this.i++;
    const members = [this.postfix()];
    this.skipBlanks();
    while (this.isPunct('|')) {
      this.i++;
      members.push(this.postfix());
      this.skipBlanks();
    }
    return members.length === 1 ? (members[0] as TypeNode) : { t: 'union', members };
  }
  postfix(): TypeNode {
    let node = this.primary();
    while (
      this.isPunct('[') &&
      this.toks[this.i + 1]?.k === 'punct' &&
      (this.toks[this.i + 1] as { v: string }).v === ']'
    ) {
      this.i += 2;
      node = { t: 'array', of: node };
    }
    return node;
  }
  primary(): TypeNode {
    this.skipBlanks();
    const tok = this.peek();
    if (!tok) throw new Unformattable('unexpected end');
    if (tok.k === 'ident') {
      this.i++;
      if (this.isPunct('<') || this.isPunct('.')) throw new Unformattable('generic or qualified type');
      return { t: 'atom', text: tok.v };
    }
    if (tok.k === 'num') {
      this.i++;
      return { t: 'atom', text: tok.v };
    }
    if (tok.k === 'str') {
      this.i++;
      if (tok.v.includes("'") || tok.v.includes('\\') || /[\u0000-\u001f\u007f-\uffff]/.test(tok.v))
        throw new Unformattable('string literal needs escaping');
      return { t: 'atom', text: `'${tok.v}'` };
    }
    if (tok.k === 'punct' && tok.v === '(') {
      this.i++;
      const inner = this.type();
      this.skipBlanks();
      this.expect(')');
      return inner;
    }
    if (tok.k === 'punct' && tok.v === '[') {
      this.i++;
      const items: TypeNode[] = [];
      let rest: TypeNode | undefined;
      this.skipBlanks();
      while (!this.isPunct(']')) {
        if (rest) throw new Unformattable('element after a rest element');
        if (this.isPunct('...')) {
          this.i++;
          rest = this.postfix();
        } else items.push(this.type());
        this.skipBlanks();
        if (this.isPunct(',')) this.i++;
        this.skipBlanks();
      }
      this.i++;
      return { t: 'tuple', items, rest };
    }
    if (tok.k === 'punct' && tok.v === '{') {
      this.i++;
      return { t: 'object', members: this.members() };
    }
    throw new Unformattable(`unexpected token ${JSON.stringify(tok)}`);
  }
  /** Members up to and including the closing `}`. */
  members(): Member[] {
    const out: Member[] = [];
    for (;;) {
      this.skipBlanks();
      let comment: string | undefined;
      let tok = this.peek();
      if (tok?.k === 'comment') {
        comment = tok.v;
        this.i++;
        this.skipBlanks();
        tok = this.peek();
      }
      if (!tok) throw new Unformattable('unterminated object');
      if (tok.k === 'punct' && tok.v === '}') {
        if (comment !== undefined) throw new Unformattable('dangling comment');
        this.i++;
        return out;
      }
      let key: string;
      if (tok.k === 'ident') {
        key = tok.v;
        this.i++;
      } else if (tok.k === 'punct' && tok.v === '[') {
        const k = this.toks[this.i + 1];
        const colon = this.toks[this.i + 2];
        const ty = this.toks[this.i + 3];
        const close = this.toks[this.i + 4];
        if (
          k?.k !== 'ident' ||
          colon?.k !== 'punct' ||
          colon.v !== ':' ||
          ty?.k !== 'ident' ||
          close?.k !== 'punct' ||
          close.v !== ']'
        )
          throw new Unformattable('unknown index signature');
        key = `[${k.v}: ${ty.v}]`;
        this.i += 5;
      } else throw new Unformattable(`unexpected member token ${JSON.stringify(tok)}`);
      if (this.isPunct('?')) {
        key += '?';
        this.i++;
      }
      this.expect(':');
      const type = this.type();
      this.skipBlanks();
      if (this.isPunct(';') || this.isPunct(',')) this.i++;
      out.push({ comment, key, type });
    }
  }
}

/** A JSDoc-style block comment re-indented the way prettier does: each line trimmed and aligned under the `/**`. */
function printComment(text: string, indent: string): string {
  const lines = text.split('\n');
  if (lines.length === 1) return `${indent}${text}`;
  if (!lines.slice(1).every((l) => l.trim().startsWith('*'))) throw new Unformattable('non-JSDoc block comment');
  return lines.map((l, i) => (i === 0 ? `${indent}${l.trimEnd()}` : `${indent} ${l.trim()}`)).join('\n');
}

/** The type on one line, or undefined when it cannot be (it holds a non-empty object literal). */
function flat(n: TypeNode): string | undefined {
  switch (n.t) {
    case 'atom':
      return n.text;
    case 'union': {
      const parts = n.members.map(flat);
      return parts.some((p) => p === undefined) ? undefined : parts.join(' | ');
    }
    case 'array': {
      const inner = flat(n.of);
      if (inner === undefined) return undefined;
      return n.of.t === 'union' ? `(${inner})[]` : `${inner}[]`;
    }
    case 'tuple': {
      const parts = [...n.items.map(flat), ...(n.rest ? [flat(n.rest)] : [])];
      if (parts.some((p) => p === undefined)) return undefined;
      if (n.rest) parts[parts.length - 1] = `...${parts[parts.length - 1] as string}`;
      return `[${parts.join(', ')}]`;
    }
    case 'object':
      return n.members.length === 0 ? '{}' : undefined;
  }
}

/**
 * Prints `n` starting at column `col` of a line indented by `indent`, followed by `tail` (such as `;`) on the same
 * line: flat when that fits in the width, else broken the way prettier breaks it.
 */
function print(n: TypeNode, indent: string, col: number, tail: string, breakUnion: boolean): string {
  const f = flat(n);
  if (f !== undefined && col + f.length + tail.length <= WIDTH) return f;
  switch (n.t) {
    case 'atom':
      return n.text;
    case 'object':
      return printObject(n.members, indent);
    case 'array': {
      if (n.of.t === 'union') throw new Unformattable('long array of a union');
      return `${print(n.of, indent, col, `[]${tail}`, false)}[]`;
    }
    case 'tuple': {
      const inner = `${indent}  `;
      const parts = n.items.map((m) => `${inner}${print(m, inner, inner.length, ',', false)},`);
      if (n.rest) parts.push(`${inner}...${print(n.rest, inner, inner.length + 3, ',', false)},`);
      return `[\n${parts.join('\n')}\n${indent}]`;
    }
    case 'union': {
      if (!breakUnion || f === undefined) throw new Unformattable('union that does not fit where prettier hugs it');
      const inner = `${indent}  `;
      return `\n${n.members.map((m) => `${inner}| ${print(m, inner, inner.length + 2, '', false)}`).join('\n')}`;
    }
  }
}

function printObject(members: readonly Member[], indent: string): string {
  if (members.length === 0) return '{}';
  const inner = `${indent}  `;
  const lines = members.map((m) => {
    const head = `${inner}${m.key}: `;
    const body = print(m.type, inner, head.length, ';', true);
    const line = body.startsWith('\n') ? `${inner}${m.key}:${body};` : `${head}${body};`;
    return m.comment === undefined ? line : `${printComment(m.comment, inner)}\n${line}`;
  });
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** Formats json-schema-to-typescript's unformatted output as prettier would; throws {@link Unformattable} otherwise. */
export function formatGeneratedTypes(src: string): string {
  const p = new Parser(tokenize(src));
  const items: string[] = [];
  let pendingBlank = false;
  while (p.i < p.toks.length) {
    const tok = p.peek() as Tok;
    if (tok.k === 'blank') {
      pendingBlank = items.length > 0;
      p.i++;
      continue;
    }
    let text: string;
    if (tok.k === 'line') {
      text = tok.v;
      p.i++;
    } else if (tok.k === 'comment') {
      text = printComment(tok.v, '');
      p.i++;
    } else if (tok.k === 'ident' && tok.v === 'export') {
      p.i++;
      const kw = p.peek();
      const name = p.toks[p.i + 1];
      if (kw?.k !== 'ident' || name?.k !== 'ident') throw new Unformattable('unknown export');
      p.i += 2;
      if (kw.v === 'interface') {
        p.expect('{');
        text = `export interface ${name.v} ${printObject(p.members(), '')}`;
      } else if (kw.v === 'type') {
        p.expect('=');
        const type = p.type();
        const head = `export type ${name.v} = `;
        const body = print(type, '', head.length, ';', true);
        text = body.startsWith('\n') ? `export type ${name.v} =${body};` : `${head}${body};`;
        p.skipBlanks();
        if (p.isPunct(';')) p.i++;
      } else throw new Unformattable(`unknown declaration '${kw.v}'`);
    } else throw new Unformattable(`unexpected top-level token ${JSON.stringify(tok)}`);
    items.push(`${pendingBlank ? '\n' : ''}${text}`);
    pendingBlank = false;
  }
  return `${items.join('\n')}\n`;
}
