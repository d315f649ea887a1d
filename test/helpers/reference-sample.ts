// the reference's sample payloads by type; the corpus itself is read once, by sampleLines
import { sampleLines } from './schemas.js';

/** The `data` of every sample record whose type is `type`, in file order. */
export async function sampleRecords(type: string): Promise<unknown[]> {
  return sampleLines()
    .filter((l) => l.type === type)
    .map((l) => l.data);
}
