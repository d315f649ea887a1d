// reads the reference's sample payloads (one {type, data} per line) through the project's NDJSON line reader
import { readLineBatches } from '../../src/io/line-reader.js';

/** Path of the reference sample corpus. */
export const REFERENCE_SAMPLE = new URL('../fixtures/snapshots/reference-sample.ndjson', import.meta.url).pathname;

/** The `data` of every sample record whose type is `type`, in file order; fails naming the line when one is not JSON. */
export async function sampleRecords(type: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const batch of readLineBatches(REFERENCE_SAMPLE)) {
    for (const line of batch) {
      if (line.text.trim() === '') continue;
      let record: { type?: unknown; data?: unknown };
      try {
        record = JSON.parse(line.text) as { type?: unknown; data?: unknown };
      } catch (error) {
        throw new Error(`${REFERENCE_SAMPLE}:${line.number}: not JSON (${String(error)})`);
      }
      if (record.type === type) out.push(record.data);
    }
  }
  return out;
}
