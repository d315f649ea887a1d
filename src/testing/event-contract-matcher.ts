import { expect } from 'vitest';
import { findEventDescriptor } from '../../generated/index.js';
import {
  checkBarePayload,
  checkEnvelope,
  formatPayloadFinding,
  resolveEventType,
  suggestEventType,
  type PayloadFinding,
} from '../conformance/index.js';

/** What a vitest matcher returns. */
export interface EventContractMatchResult {
  readonly pass: boolean;
  readonly message: () => string;
}

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: the parameter list must match vitest's own declaration to merge with it
  interface Matchers<T = any> {
    /**
     * Asserts that the value conforms to the event contract: without an argument it must be a `{type, data}` envelope;
     * with an event type it may be that type's envelope or its bare payload (data only).
     */
    toMatchEventContract(eventType?: string): T;
  }
}

function isEnvelope(value: unknown): value is { type: string; data?: unknown } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return typeof (value as { type?: unknown }).type === 'string' && keys.every((k) => k === 'type' || k === 'data');
}

function findingsFor(
  received: unknown,
  eventType: string | undefined,
): { subject: string; findings: readonly PayloadFinding[] } {
  if (eventType === undefined) return { subject: 'the event', findings: checkEnvelope(received) };
  const descriptor = resolveEventType(eventType);
  if (descriptor === undefined) {
    const near = suggestEventType(eventType);
    return {
      subject: `a '${eventType}' payload`,
      findings: [
        {
          level: 'error',
          eventType,
          instancePath: '',
          keyword: 'unknown-type',
          message: `no schema claims event type '${eventType}'`,
          ...(near === undefined ? {} : { hint: `did you mean '${near}'?` }),
        },
      ],
    };
  }
  if (isEnvelope(received)) {
    const own = findEventDescriptor(received.type);
    if (own !== descriptor && received.type !== eventType) {
      return {
        subject: `a '${eventType}' event`,
        findings: [
          {
            level: 'error',
            eventType: received.type,
            instancePath: '',
            keyword: 'type',
            message: `the envelope's type '${received.type}' is not '${eventType}'`,
            expected: `'${eventType}'`,
            got: `'${received.type}'`,
          },
        ],
      };
    }
    return { subject: `a '${eventType}' event`, findings: checkEnvelope(received) };
  }
  return { subject: `a '${eventType}' payload`, findings: checkBarePayload(received, descriptor, eventType) };
}

/** The matcher behind `expect(x).toMatchEventContract(type?)`: passes when the CLI's checks find no error, and lists their findings when not. */
export function toMatchEventContract(received: unknown, eventType?: string): EventContractMatchResult {
  const { subject, findings } = findingsFor(received, eventType);
  const errors = findings.filter((f) => f.level === 'error');
  const pass = errors.length === 0;
  return {
    pass,
    message: () =>
      pass
        ? `expected the value not to be ${subject} that matches the contract, but it is`
        : `expected the value to be ${subject} that matches the contract:\n${errors.map((f) => `  ${formatPayloadFinding(f)}`).join('\n')}`,
  };
}

/** Registers {@link toMatchEventContract} with vitest's `expect`; call it once in a setup file or at the top of a test file. */
export function installEventContractMatcher(): void {
  expect.extend({ toMatchEventContract });
}
