// custom events defined at run time (the emit-time validation policy they go through lives in src/runtime)
export { defineEvent } from './define-event.js';
export type { CustomEventEmitter, DefineEventOptions } from './define-event.js';
export {
  customEventDescriptors,
  findCustomEventDescriptor,
  registerCustomEventDescriptor,
  removeCustomEvent,
} from './custom-event-registry.js';
