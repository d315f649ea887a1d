// the offset reader `validate` uses for plain files (and its --jobs workers for their shares) must see the very lines
// the stream reader sees, whatever the bytes, the read size and the places a file is cut
import { isUtf8 } from 'node:buffer';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readLineBatches } from '../../../src/io/line-reader.js';
import { nextLineStart, type RangeSummary, readRangeLines, streamLines } from '../../../src/io/range-lines.js';

type Seen = { n: number; text?: string; bad?: boolean; tooLong?: number };

const dir = mkdtempSync(join(tmpdir(), 'sfe-range-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let seq = 0;
function file(bytes: Uint8Array): string {
  const p = join(dir, `f${seq++}.ndjson`);
  writeFileSync(p, bytes);
  return p;
}

async function readRange(path: string, start: number, end: number | undefined, max: number, chunk: number) {
  const seen: Seen[] = [];
  const summary: RangeSummary = await readRangeLines(
    path,
    start,
    end,
    {
      line: (n, text, bad) => seen.push({ n, text, bad }),
      tooLong: (n, bytes) => seen.push({ n, tooLong: bytes }),
    },
    { maxLineBytes: max, chunkBytes: chunk },
  );
  return { seen, summary };
}

async function readStream(bytes: Uint8Array, max: number, chunk: number) {
  const seen: Seen[] = [];
  const summary: { value?: { lines: number; missingFinalNewline: boolean } } = {};
  // the stream delivers the bytes in pieces of `chunk`, as a file stream with that read size would
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) pieces.push(Buffer.from(bytes.subarray(i, i + chunk)));
  for await (const batch of readLineBatches(Readable.from(pieces), { maxLineBytes: max }, summary))
    for (const l of batch)
      seen.push(
        l.tooLong ? { n: l.number, tooLong: l.bytes } : { n: l.number, text: l.text, bad: l.invalidUtf8 === true },
      );
  return { seen, summary: summary.value };
}

// lines of valid UTF-8 (multi-byte characters land across read boundaries), bad bytes, CRs, a BOM, long lines
const lineBytes = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => Buffer.from(s.replace(/\n/g, ' '))),
  fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a.map((b) => (b === 10 ? 32 : b)))),
  fc.constantFrom(Buffer.from('\r'), Buffer.from('{"a": 1}\r'), Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d])),
  fc.integer({ min: 40, max: 200 }).map((n) => Buffer.from('é'.repeat(n))),
);
const content = fc.tuple(fc.array(lineBytes, { maxLength: 40 }), fc.boolean()).map(([lines, finalNewline]) => {
  const body = Buffer.concat(lines.flatMap((l, i) => (i === 0 ? [l] : [Buffer.from('\n'), l])));
  return finalNewline && lines.length > 0 ? Buffer.concat([body, Buffer.from('\n')]) : body;
});

describe('readRangeLines', () => {
  it('sees the same lines, texts, bad-UTF-8 flags, long lines and summary as the stream reader', async () => {
    await fc.assert(
      fc.asyncProperty(
        content,
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 120 }),
        async (bytes, chunk, max) => {
          const path = file(bytes);
          const range = await readRange(path, 0, undefined, max, chunk);
          const stream = await readStream(bytes, max, chunk);
          expect(range.seen).toEqual(stream.seen);
          expect(range.summary.lines).toBe(stream.summary?.lines);
          expect(range.summary.missingFinalNewline).toBe(stream.summary?.missingFinalNewline);
          expect(range.summary.end).toBe(bytes.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads a file cut at any offsets into shares as the whole file, line numbers shifted', async () => {
    await fc.assert(
      fc.asyncProperty(
        content,
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.integer({ min: 1, max: 64 }),
        async (bytes, cuts, chunk) => {
          const path = file(bytes);
          const whole = await readRange(path, 0, undefined, 80, chunk);
          const starts = [...new Set(cuts.map((c) => nextLineStart(path, c % (bytes.length + 1), bytes.length)))]
            .filter((s) => s < bytes.length)
            .sort((a, b) => a - b);
          if (starts[0] !== 0) starts.unshift(0);
          const joined: Seen[] = [];
          let base = 0;
          let last: RangeSummary | undefined;
          for (let i = 0; i < starts.length; i++) {
            const part = await readRange(path, starts[i] as number, starts[i + 1], 80, chunk);
            for (const s of part.seen) joined.push({ ...s, n: s.n + base });
            base += part.summary.lines;
            last = part.summary;
          }
          expect(joined).toEqual(whole.seen);
          expect(base).toBe(whole.summary.lines);
          expect(last?.missingFinalNewline).toBe(whole.summary.missingFinalNewline);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("offers a sink a line's bytes, with its line feed after them, and decodes only the lines it declines", async () => {
    await fc.assert(
      fc.asyncProperty(content, fc.integer({ min: 1, max: 64 }), async (bytes, chunk) => {
        const path = file(bytes);
        const plain = await readRange(path, 0, undefined, 120, chunk);
        const seen: Seen[] = [];
        await readRangeLines(
          path,
          0,
          undefined,
          {
            // takes the even lines; what it is offered must be exactly the line's bytes, a line feed after them
            bytes: (n, buf, start, end) => {
              expect(buf[end]).toBe(10);
              const text = buf.toString('utf8', start, end);
              if (n % 2 === 1) return false;
              seen.push({ n, text, bad: text.includes('\ufffd') && !isUtf8(buf.subarray(start, end)) });
              return true;
            },
            line: (n, text, bad) => seen.push({ n, text, bad }),
            tooLong: (n, b) => seen.push({ n, tooLong: b }),
          },
          { maxLineBytes: 120, chunkBytes: chunk },
        );
        expect(seen).toEqual(plain.seen);
      }),
      { numRuns: 300 },
    );
  });

  it("offers a stream's lines as bytes too (not the first, not across chunks), and decodes only those declined", async () => {
    await fc.assert(
      fc.asyncProperty(content, fc.integer({ min: 1, max: 64 }), async (bytes, chunk) => {
        const plain = await readStream(bytes, 120, chunk);
        const seen: Seen[] = [];
        let offered = 0;
        const pieces: Buffer[] = [];
        for (let i = 0; i < bytes.length; i += chunk) pieces.push(Buffer.from(bytes.subarray(i, i + chunk)));
        // one piece per turn of the event loop, so the reader sees them as separate chunks and lines span them
        async function* slowly() {
          for (const p of pieces) {
            await new Promise((r) => setImmediate(r));
            yield p;
          }
        }
        await streamLines(
          Readable.from(slowly()),
          {
            bytes: (n, buf, start, end) => {
              offered++;
              expect(buf[end]).toBe(10);
              expect(n).toBeGreaterThan(1);
              const text = buf.toString('utf8', start, end);
              expect(text.endsWith('\r')).toBe(false);
              if (n % 2 === 1) return false;
              seen.push({ n, text, bad: text.includes('\ufffd') && !isUtf8(buf.subarray(start, end)) });
              return true;
            },
            line: (n, text, bad) => seen.push({ n, text, bad }),
            tooLong: (n, b) => seen.push({ n, tooLong: b }),
          },
          { maxLineBytes: 120 },
        );
        seen.sort((a, b) => a.n - b.n);
        expect(seen).toEqual(plain.seen);
        // lines within one chunk are offered: a chunk of 64 bytes holds many of the short ones
        if (chunk === 64 && plain.seen.length > 30) expect(offered).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('starts a share only just after a line break', () => {
    const path = file(Buffer.from('ab\ncd\n\nef'));
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((o) => nextLineStart(path, o, 9))).toEqual([
      0, 3, 3, 3, 6, 6, 6, 7, 9, 9,
    ]);
  });

  it('joins a line longer than a read but within the limit, and skips one over it unbuffered', async () => {
    const long = 'x'.repeat(5000);
    const bytes = Buffer.from(`{"a": "${long}"}\n${'y'.repeat(9000)}\nlast`);
    const path = file(bytes);
    const { seen, summary } = await readRange(path, 0, undefined, 8000, 1024);
    expect(seen).toEqual([
      { n: 1, text: `{"a": "${long}"}`, bad: false },
      { n: 2, tooLong: 9000 },
      { n: 3, text: 'last', bad: false },
    ]);
    expect(summary).toEqual({ lines: 3, missingFinalNewline: true, end: bytes.length });
  });

  it('rejects with the error of a sink that throws, leaves no read behind, and reads the next file whole', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `{"n": ${i}}`).join('\n');
    const path = file(Buffer.from(`${lines}\n`));
    const boom = new Error('sink failed');
    await expect(
      readRangeLines(
        path,
        0,
        undefined,
        {
          line: (n) => {
            if (n === 1500) throw boom;
          },
          tooLong: () => undefined,
        },
        { chunkBytes: 1024 },
      ),
    ).rejects.toBe(boom);
    // the same buffers serve the next read; every line arrives intact
    const again = await readRange(path, 0, undefined, 1 << 20, 1024);
    expect(again.seen).toHaveLength(3000);
    expect(again.seen[2999]).toEqual({ n: 3000, text: '{"n": 2999}', bad: false });
  });
});
