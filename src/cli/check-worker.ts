// one `--jobs` worker thread: reads and checks shares of NDJSON files with the same options as the main thread
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckPoolOptions, RangeReply, RangeRequest } from './check-pool.js';
import { bareOption, checkRange, type LineCheckOptions } from './check-range.js';

const init = workerData as CheckPoolOptions;
const options: LineCheckOptions = {
  allowUnknown: init.allowUnknown,
  bare: bareOption(init.schema),
  schemaVersion: init.schemaVersion,
  maxLineBytes: init.maxLineBytes,
  // the chain imports the author's upcasters: loaded only for --upcast
  ...(init.upcast ? { upcast: (await import('../../generated/upcasters.js')).upcastRecord } : {}),
};

// one share at a time, in the order sent: a share's reads are asynchronous, so the next message waits for it
let last: Promise<void> = Promise.resolve();
parentPort?.on('message', (m: RangeRequest) => {
  last = last.then(async () => {
    let reply: RangeReply;
    try {
      reply = { id: m.id, part: await checkRange(m.path, m.start, m.end, options, init.maxFindings) };
    } catch (e) {
      reply = { id: m.id, error: e instanceof Error ? e.message : String(e) };
    }
    parentPort?.postMessage(reply);
  });
});
