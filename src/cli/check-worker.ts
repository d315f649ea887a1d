// one `--jobs` worker thread: checks batches of NDJSON line texts with the same options as the main thread
import { parentPort, workerData } from 'node:worker_threads';
import { checkPayloadText, type PayloadTextResult } from '../conformance/index.js';
import type { CheckPoolOptions } from './check-pool.js';
import { bareOption } from './commands/validate.js';

const init = workerData as CheckPoolOptions;
const options = { allowUnknown: init.allowUnknown, bare: bareOption(init.schema) };

parentPort?.on('message', (m: { id: number; text: string; count: number }) => {
  try {
    const texts = m.count === 0 ? [] : m.text.split('\n');
    if (texts.length !== m.count) throw new Error(`expected ${m.count} lines, got ${texts.length}`);
    // a valid payload (the common case) crosses back as 0 instead of a cloned object
    const results: (PayloadTextResult | 0)[] = new Array(texts.length);
    for (let i = 0; i < texts.length; i++) {
      const r = checkPayloadText(texts[i] as string, options);
      results[i] = r.counted && r.findings.length === 0 ? 0 : r;
    }
    parentPort?.postMessage({ id: m.id, results });
  } catch (e) {
    parentPort?.postMessage({ id: m.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
