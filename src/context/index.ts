// sink resolution: one rule for every emitter (innermost withEventSink scope, else the process default, else no-op)
export { clearEventSink, getEventSink, setEventSink, withEventSink } from './sink-registry.js';
