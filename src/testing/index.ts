// the `stageflow-events/testing` entry: a collecting sink and assertions over what it received
export { CollectingEventSink } from '../sinks/collecting-event-sink.js';
export { expectEmitted, expectNotEmitted, expectOrder } from './expect-emitted.js';
export { installEventContractMatcher, toMatchEventContract } from './event-contract-matcher.js';
export type { EventContractMatchResult } from './event-contract-matcher.js';
