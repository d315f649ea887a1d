// child process for the recorder crash test: records events forever, reporting each flushed seq on stdout, until killed
import { NdjsonFileEventSink } from '../../src/sinks/index.js';

const path = process.argv[2] as string;
const sink = new NdjsonFileEventSink({ path, maxBatchLines: 64, flushIntervalMs: 0 });
let i = 0;
const payload = { pipeline_run_id: '6c60df13-3845-4cc2-b03b-b433c389bec3', note: 'x'.repeat(200) };
function burst(): void {
  for (let k = 0; k < 1000; k++) sink.tryEmit({ type: 'agent.turn.started', data: { ...payload, turn: ++i } });
  void sink.flush();
  process.stdout.write(`${sink.lastSeq}\n`);
  setImmediate(burst);
}
burst();
