// emit-time validation: the policy every emitter goes through, and custom events defined at run time
export { checkOnEmit, configureValidation, getValidationOptions } from './policy.js';
export type { ValidationMode, ValidationPolicyOptions, ValidationRule, WarnLogger } from './policy.js';
export { defineEvent } from './define-event.js';
export type { CustomEventEmitter, DefineEventOptions } from './define-event.js';
export {
  customEventDescriptors,
  findCustomEventDescriptor,
  registerCustomEventDescriptor,
  removeCustomEvent,
} from './custom-event-registry.js';
