import type { EventDescriptor } from '../runtime/types.js';

const CUSTOM = new Map<string, EventDescriptor>();

/** Adds a custom event's descriptor so replay, CLI and sinks can find it; refuses a type that is already registered. */
export function registerCustomEventDescriptor(descriptor: EventDescriptor): void {
  if (CUSTOM.has(descriptor.type))
    throw new TypeError(
      `defineEvent: event type '${descriptor.type}' is already defined (expected a new type, or removeCustomEvent first)`,
    );
  CUSTOM.set(descriptor.type, descriptor);
}

/** The descriptor of a custom event registered with {@link defineEvent}, or undefined; look here after the generated `findEventDescriptor`. */
export function findCustomEventDescriptor(type: string): EventDescriptor | undefined {
  return CUSTOM.get(type);
}

/** Every custom event descriptor, in registration order. */
export function customEventDescriptors(): readonly EventDescriptor[] {
  return [...CUSTOM.values()];
}

/** Forgets one custom event type (tests, hot reload); returns whether it was registered. */
export function removeCustomEvent(type: string): boolean {
  return CUSTOM.delete(type);
}
